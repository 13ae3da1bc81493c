"""The parameter reader's fast paths give exactly what pydantic gives (FastAPI's reading)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import Field, TypeAdapter, ValidationError

from contracts import operation
from mocks._core.params import ParameterReader, canonical, fast_integer, fast_uuid

_UUID = TypeAdapter(uuid.UUID)
_INTEGERS = {
    minimum: TypeAdapter(int if minimum is None else Annotated[int, Field(ge=minimum)])
    for minimum in (None, 0, 1)
}

# strings near the fast paths' edges: digits with signs, spaces, underscores, leading zeros,
# non-ASCII digits; UUIDs in every case, with braces, URNs, 32 digits, one character off
_DIGITISH = st.text(alphabet="0123456789+-_ .e\u0663\uff11\t", max_size=25)
_UUIDISH = st.builds(
    lambda u, upper, wrap: wrap(u.upper() if upper else u),
    st.uuids().map(str),
    st.booleans(),
    st.sampled_from(
        [
            lambda s: s,
            lambda s: "{" + s + "}",
            lambda s: "urn:uuid:" + s,
            lambda s: s.replace("-", ""),
            lambda s: s[:-1],
            lambda s: s + "0",
            lambda s: " " + s,
            lambda s: s + "\n",
            lambda s: s[:8] + "g" + s[9:],
            lambda s: s.replace("a", "\uff41"),
        ]
    ),
)
_RAW = st.one_of(st.text(max_size=40), _DIGITISH, _UUIDISH)


def _pydantic(adapter: TypeAdapter[Any], convert: Any, raw: str) -> Any:
    try:
        return convert(adapter.validate_python(raw))
    except ValidationError:
        return None


@settings(max_examples=600, deadline=None)
@given(_RAW)
@example("550E8400-E29B-41D4-A716-446655440000")
@example("0")
@example("00")
@example("007")
@example("\u0663")
@example("123456789012345678")
@example("1234567890123456789")
def test_fast_paths_agree_with_pydantic(raw: str) -> None:
    fast = fast_uuid(raw)
    if fast is not None:
        assert fast == _pydantic(_UUID, str, raw)
    for minimum, adapter in _INTEGERS.items():
        quick = fast_integer(minimum)(raw)
        if quick is not None:
            expected = _pydantic(adapter, int, raw)
            assert quick == expected
            assert type(quick) is type(expected) is int


@pytest.mark.parametrize(
    ("raw", "taken"),
    [
        ("550e8400-e29b-41d4-a716-446655440000", True),
        ("550E8400-E29B-41D4-A716-446655440000", True),
        ("{550e8400-e29b-41d4-a716-446655440000}", False),
        ("550e8400e29b41d4a716446655440000", False),
    ],
)
def test_the_uuid_fast_path_takes_the_usual_spelling(raw: str, taken: bool) -> None:
    assert (fast_uuid(raw) is not None) is taken


@pytest.mark.parametrize(
    ("raw", "minimum", "taken"),
    [("20", 0, True), ("0", 0, True), ("0", 1, False), ("+5", 0, False), ("05", 0, False)],
)
def test_the_integer_fast_path_takes_plain_digits_only(raw: str, minimum: int, taken: bool) -> None:
    assert (fast_integer(minimum)(raw) is not None) is taken


@settings(max_examples=300, deadline=None)
@given(agent=_RAW, skip=_RAW, limit=_RAW)
def test_the_reader_agrees_with_pydantic_for_a_whole_request(
    agent: str, skip: str, limit: str
) -> None:
    op = operation("list_runs")
    parsed = ParameterReader(op).read(
        {}, {"extraction_agent_id": agent, "skip": skip, "limit": limit}
    )
    expected_values = {
        "extraction_agent_id": _pydantic(_UUID, str, agent) or agent,
        "skip": _or_raw(_pydantic(_INTEGERS[0], int, skip), skip),
        "limit": _or_raw(_pydantic(_INTEGERS[0], int, limit), limit),
    }
    assert parsed.values == expected_values
    failed = {entry["loc"][1] for entry in parsed.errors}
    assert failed == {
        name
        for name, raw in zip(expected_values, (agent, skip, limit), strict=True)
        if raw is expected_values[name]
    }


def _or_raw(value: Any, raw: str) -> Any:
    return raw if value is None else value


def test_canonical_uses_the_same_reading() -> None:
    op = operation("get_run")
    upper = "550E8400-E29B-41D4-A716-446655440000"
    assert canonical(op, "run_id", upper) == upper.lower()
    assert canonical(op, "run_id", uuid.UUID(upper)) == upper.lower()
    assert canonical(op, "run_id", "nope") == "nope"
