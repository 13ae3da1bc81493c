"""User extraction schemas beyond our compiler: hypothesis-jsonschema, or a clear refusal.

A one-time probe decides whether hypothesis-jsonschema works with the installed Hypothesis;
exactly one of the two tests below runs, on the real probe result.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis.errors import InvalidArgument

from strategies import extract_runs
from strategies._jsonschema import delegation_status

from .judges import assert_valid_everywhere, data_validator

WORKS, WHY = delegation_status()

# ``not`` and ``contains`` are not in our compiler's subset.
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "code": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{2}$", "not": {"const": "ABC-12"}},
        "tags": {"type": "array", "items": {"type": "string"}, "contains": {"const": "urgent"}},
        "ref": {"type": "string", "format": "uuid"},
    },
    "required": ["code", "ref"],
}


def test_the_probe_says_why() -> None:
    assert "hypothesis" in WHY


@pytest.mark.skipif(not WORKS, reason=f"hypothesis-jsonschema does not run here: {WHY}")
def test_delegated_schema_generates_matching_data() -> None:
    validator = data_validator(SCHEMA)

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(extract_runs(realistic=True, data_schema=SCHEMA, status="SUCCESS"))
    def check(run: dict[str, Any]) -> None:
        assert_valid_everywhere(run, "run")
        data = run["data"]
        for obj in data if isinstance(data, list) else [data]:
            assert list(validator.iter_errors(obj)) == []

    check()


@pytest.mark.skipif(WORKS, reason=f"hypothesis-jsonschema runs here ({WHY})")
def test_without_a_working_engine_the_keyword_is_named() -> None:
    strategy = extract_runs(data_schema=SCHEMA)  # no error until drawn
    with pytest.raises(InvalidArgument) as raised:
        find(strategy, lambda _: True, settings=settings(database=None))
    message = str(raised.value)
    assert "data_schema= uses contains, not," in message
    assert "hypothesis-jsonschema" in message


def test_our_compiler_still_serves_schemas_it_covers() -> None:
    """The delegation is only for what our compiler lacks: plain schemas never depend on it."""
    plain = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    run = find(
        extract_runs(data_schema=plain, status="SUCCESS"),
        lambda r: r["data"] is not None,
        settings=settings(database=None),
    )
    assert run["data_schema"] == plain
