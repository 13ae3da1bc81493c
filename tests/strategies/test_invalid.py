"""Invalid payloads: broken in exactly the one place they name, and rejected for it."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import contracts
from strategies import BREAKS, Breakage, invalid_payloads, sample, sample_invalid
from strategies._invalid import break_payload, breakages

from .judges import OURS

KINDS = ["run", "config", "file", "page"]


def _assert_broken_exactly_there(payload: Any, breakage: Breakage, kind: str) -> None:
    violations = contracts.validate(payload, kind)
    assert {v.path for v in violations} == {breakage.path}, (breakage, violations)
    assert breakage.found_in(violations), (breakage, violations)
    assert not re.search(r"\ba [aeiou]", breakage.detail), breakage.detail
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


# The kinds of break each kind's schema has places for (a config has no uuid, date-time or
# length-bounded string; a file has no enum; a page's own fields are an array and integers).
EXPECTED_BREAKS = {
    "run": set(BREAKS),
    "config": {"wrong_type", "bad_enum", "under_minimum"},
    "file": set(BREAKS) - {"bad_enum"},
    "page": {"wrong_type", "missing_required", "under_minimum"},
}


@pytest.mark.parametrize("kind", KINDS)
def test_every_site_is_labelled_as_validate_finds_it(kind: str) -> None:
    """Over many seeds, every break of every kind at every place of a valid payload: its label
    names what contracts.validate reports there (the break kind by the violation's keyword).
    A page's runs are the run's places again, and slow to judge in a page: a tenth of them."""
    seen: Counter[str] = Counter()

    @settings(max_examples=6 if kind == "page" else 25, deadline=None)
    @given(st.integers(0, 2**32), st.booleans())
    def check(seed: int, realistic: bool) -> None:
        (payload,) = sample(kind, seed=seed, realistic=realistic)
        sites = breakages(kind, payload)
        if kind == "page":
            sites = [site for i, site in enumerate(sites) if len(site[0]) <= 1 or i % 10 == 0]
        for site in sites:
            broken, breakage = break_payload(payload, site)
            _assert_broken_exactly_there(broken, breakage, kind)
            seen[breakage.kind] += 1

    check()
    assert EXPECTED_BREAKS[kind] <= set(seen), seen


def test_a_string_at_an_enum_is_a_bad_enum_not_a_wrong_type() -> None:
    """run-invalid-0002 of seed 1 was labelled wrong_type for a string at $.status."""
    payload = sample("run", seed=1, realistic=False)[0]
    at_status = [
        break_payload(payload, site) for site in breakages("run", payload) if site[0] == ["status"]
    ]
    labels = {
        (b.kind, json.dumps(broken["status"])) for broken, b in at_status if "status" in broken
    }
    assert ("bad_enum", '"NOT_AN_ENUM_VALUE"') in labels
    assert all(kind != "wrong_type" or not value.startswith('"') for kind, value in labels)
    details = {b.detail for _, b in at_status}
    assert "a null where the contract wants a string" in details
    assert "an integer where the contract wants a string" in details or any(
        d.startswith("an ") for d in details
    )


def test_found_in_compares_path_and_keyword() -> None:
    enum = contracts.Violation("$.status", "'X' is not one of", "enum", ["A"])
    fmt = contracts.Violation("$.id", "'x' is not a 'uuid'", "format", "uuid")
    assert Breakage("$.status", "bad_enum", "").found_in([enum])
    assert not Breakage("$.status", "wrong_type", "").found_in([enum])
    assert not Breakage("$.status", "bad_enum", "").found_in([enum, fmt])
    assert not Breakage("$.status", "bad_enum", "").found_in([])
    assert Breakage("$.id", "bad_uuid", "").found_in([fmt])
    assert not Breakage("$.id", "bad_date_time", "").found_in([fmt])
