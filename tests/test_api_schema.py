"""schemathesis against /openapi.json of the real server: no generated request may cause a 5xx."""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402

from _api_server import running_server  # noqa: E402

# Small limits keep every generated request cheap (a batch of at most 20 images).
LIMITS = ("--max-length", "64", "--max-width", "600", "--max-batch", "20")


@pytest.fixture(scope="module")
def server_url():
    with running_server(*LIMITS) as url:
        yield url


def test_no_server_errors(server_url):
    """Every operation, up to 40 generated requests each (valid and invalid), answered without a 5xx."""
    from hypothesis import given

    api = schemathesis.openapi.from_url(f"{server_url}/openapi.json")
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 6
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            case.call_and_validate(base_url=server_url, checks=[not_a_server_error], timeout=30)

        check()
