"""schemathesis against /openapi.json of the app, in-process (ASGI): no generated request may cause a 5xx."""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402

from number_generator.api import create_app  # noqa: E402
from number_generator.api.settings import Settings  # noqa: E402

# Small limits keep every generated request cheap (a batch of at most 20 images): serve's
# --max-length 64 --max-width 600 --max-batch 20.
LIMITS = Settings(max_length=64, max_width=600, max_batch=20)


def test_no_server_errors():
    """Every operation, up to 40 generated requests each (valid and invalid), answered without a 5xx."""
    from hypothesis import given

    api = schemathesis.openapi.from_asgi("/openapi.json", create_app(LIMITS))
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 6
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            case.call_and_validate(checks=[not_a_server_error])

        check()
