"""Fixed-seed outputs stay byte-identical (images, samples, export shards) across refactors."""

import json

import pytest

from _golden import GOLDEN, compute


@pytest.fixture(scope="module")
def current():
    return compute()


def test_golden_digests_unchanged(current):
    expected = json.loads(GOLDEN.read_text())
    assert sorted(current) == sorted(expected)
    changed = {k: (expected[k], current[k]) for k in expected if current[k] != expected[k]}
    assert not changed, f"fixed-seed output changed for: {sorted(changed)}"
