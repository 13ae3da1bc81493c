"""Invalid payloads: broken in exactly the one place they name, and rejected for it."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import InvalidArgument

import contracts
from strategies import BREAKS, Breakage, invalid_payloads, sample_invalid

from .judges import OURS

KINDS = ["run", "config", "file", "page"]


def _assert_broken_exactly_there(payload: Any, breakage: Breakage, kind: str) -> None:
    violations = contracts.validate(payload, kind)
    assert {v.path for v in violations} == {breakage.path}, (breakage, violations)
    with pytest.raises(pydantic.ValidationError):
        OURS[kind].model_validate(payload)
    with pytest.raises(pydantic.ValidationError):
        OURS[kind].model_validate_json(json.dumps(payload))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("realistic", [False, True])
def test_hypothesis_invalid_payloads_break_exactly_where_they_say(
    kind: str, realistic: bool
) -> None:
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(invalid_payloads(kind, realistic=realistic))
    def check(pair: tuple[dict[str, Any], Breakage]) -> None:
        payload, breakage = pair
        assert breakage.kind in BREAKS
        _assert_broken_exactly_there(payload, breakage, kind)

    check()


@pytest.mark.parametrize("kind", KINDS)
def test_seeded_invalid_payloads_break_exactly_where_they_say(kind: str) -> None:
    pairs = sample_invalid(kind, seed=3, count=150 if kind != "page" else 40)
    pairs += sample_invalid(kind, seed=4, count=50, realistic=False)
    for payload, breakage in pairs:
        _assert_broken_exactly_there(payload, breakage, kind)


def test_every_kind_of_break_is_made() -> None:
    made = Counter(
        breakage.kind
        for kind in KINDS
        for _, breakage in sample_invalid(kind, seed=1, count=120, realistic=False)
    )
    assert set(made) == set(BREAKS), made


def test_seeded_invalid_payloads_are_deterministic() -> None:
    first = sample_invalid("run", seed=9, count=30)
    again = sample_invalid("run", seed=9, count=30)
    assert json.dumps([(p, b.to_json()) for p, b in first]) == json.dumps(
        [(p, b.to_json()) for p, b in again]
    )


def test_breakage_reads_well() -> None:
    breakage = Breakage("$.status", "bad_enum", "a string outside the enum")
    assert str(breakage) == "$.status: bad_enum (a string outside the enum)"
    assert breakage.to_json() == {
        "path": "$.status",
        "kind": "bad_enum",
        "detail": "a string outside the enum",
    }


def test_unknown_kind_is_an_invalid_argument_when_drawn() -> None:
    from hypothesis import find

    strategy = invalid_payloads("runs")
    with pytest.raises(InvalidArgument, match="kind='runs'"):
        find(strategy, lambda _: True)
