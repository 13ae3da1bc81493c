"""``contracts.load_json``: what ``json.loads`` reads, within bounds, and a located refusal."""

from __future__ import annotations

import gc
import json
import math
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import contracts
from contracts import MAX_DEPTH, MAX_INT_DIGITS, UnreadableJson, load_json

_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=30,
)


def _refusal(text: str | bytes, **bounds: Any) -> UnreadableJson:
    with pytest.raises(UnreadableJson) as info:
        load_json(text, source="in.json", **bounds)
    return info.value


@settings(max_examples=300, deadline=None)
@given(_JSON, st.sampled_from([None, 2]))
def test_reads_what_json_reads(value: Any, indent: int | None) -> None:
    text = json.dumps(value, indent=indent)
    assert load_json(text) == json.loads(text)
    assert load_json(text.encode()) == json.loads(text)


@pytest.mark.parametrize(
    ("text", "reason", "where", "problem"),
    [
        ('{"total": NaN}', "number", (1, 11, "$.total"), "NaN is not a JSON number"),
        ('[1, {"a": [-Infinity]}]', "number", (1, 12, "$[1].a[0]"), "-Infinity is not a JSON"),
        ('{"a": Infinity}', "number", (1, 7, "$.a"), "Infinity is not a JSON number"),
        ('{"a": 1e400}', "number", (1, 7, "$.a"), "1e400 is too large for a double"),
        ('{"a": -2.5E+999}', "number", (1, 7, "$.a"), "-2.5E+999 is too large"),
        ('{"a": {"b": }}', "syntax", (1, 13, "$.a.b"), "not valid JSON (Expecting value)"),
        ("[1, 2", "syntax", (1, 6, "$[1]"), "not valid JSON (Expecting ',' delimiter)"),
        ("", "syntax", (1, 1, None), "not valid JSON (Expecting value)"),
        ('{"a": 1}\n{"b": 2}', "syntax", (2, 1, None), "not valid JSON (Extra data)"),
        ('\n\n  {"run": {\n    "data": NaN}}', "number", (4, 13, "$.run.data"), "NaN is not"),
    ],
)
def test_each_refusal_is_located(
    text: str, reason: str, where: tuple[int, int, str | None], problem: str
) -> None:
    error = _refusal(text)
    assert (error.line, error.column, error.path) == where
    assert error.reason == reason
    assert error.problem.startswith(problem)
    assert error.source == "in.json"
    assert isinstance(error, ValueError)
    assert isinstance(error, contracts.ContractError)
    line, column, path = where
    prefix = f"in.json:{line}:{column}: " + (f"{path}: " if path else "")
    assert str(error) == prefix + error.problem
    assert "\n" not in str(error)


def test_a_syntax_error_is_where_json_says() -> None:
    text = '{\n  "items": [\n    {"id": 1},\n    {"id": 2,}\n  ]\n}'
    with pytest.raises(json.JSONDecodeError) as plain:
        json.loads(text)
    error = _refusal(text)
    assert (error.line, error.column) == (plain.value.lineno, plain.value.colno)
    assert error.path == "$.items[1]"


def test_a_long_path_is_shortened_to_one_short_line() -> None:
    error = _refusal(json.dumps({"k" * 1000: [[[[[{"x" * 50: float("nan")}]]]]]}))
    assert error.path == "$." + "k" * 37 + "...[0][0][0][0][0]." + "x" * 37 + "..."
    error = _refusal("[" * 100 + "NaN" + "]" * 100)
    assert error.path is not None
    assert len(error.path) == 113
    assert error.path.startswith("$[0][0]")
    assert "..." in error.path


def test_first_line_numbers_a_line_of_json_lines() -> None:
    error = _refusal('{"a": [1, NaN]}', first_line=7)
    assert (error.line, error.column, error.path) == (7, 11, "$.a[1]")
    assert str(error) == "in.json:7:11: $.a[1]: NaN is not a JSON number"


@pytest.mark.parametrize("depth", [1, 5, MAX_DEPTH])
def test_nesting_up_to_the_bound_is_read(depth: int) -> None:
    assert load_json("[" * depth + "]" * depth) is not None
    assert load_json('{"a":' * depth + "1" + "}" * depth) is not None


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 999, 100_000])
def test_nesting_past_the_bound_is_refused_never_a_recursion_error(depth: int) -> None:
    for opener, closer in (("[", "]"), ('{"k":', "}")):
        for text in (opener * depth + "0" + closer * depth, opener * depth):
            error = _refusal(text)
            assert error.reason == "depth"
            assert error.problem == f"nested deeper than {MAX_DEPTH} levels"
            assert (error.line, error.column) == (1, len(opener) * MAX_DEPTH + 1)


def test_depth_is_counted_where_it_happens() -> None:
    text = json.dumps({"ok": [[1]], "deep": [{"x": [[[[]]]]}]})
    error = _refusal(text, max_depth=5)
    assert error.path == "$.deep[0].x[0][0]"
    assert load_json(text, max_depth=7) is not None
    with pytest.raises(UnreadableJson):
        load_json(text, max_depth=6)


def test_integers_are_bounded_by_digits_not_by_the_interpreter() -> None:
    longest = "9" * MAX_INT_DIGITS
    assert load_json(f"[{longest}, -{longest}]") == [int(longest), -int(longest)]
    error = _refusal(f'{{"data": {{"x": {longest}9}}}}')
    assert error.reason == "integer"
    assert error.path == "$.data.x"
    assert error.problem == f"an integer of {MAX_INT_DIGITS + 1} digits (at most 4300 are read)"
    assert _refusal("[123456]", max_int_digits=5).path == "$[0]"
    assert load_json("[-12345]", max_int_digits=5) == [-12345]
    before = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)  # a process that lifted Python's own limit
    try:
        assert _refusal("1" * 100_000).reason == "integer"
    finally:
        sys.set_int_max_str_digits(before)


def test_tiny_numbers_and_long_fractions_are_numbers() -> None:
    assert load_json("[1e-400, 0.1234567890123456789, -0.0]") == [0.0, 0.12345678901234568, -0.0]


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (b'{"a": "\xff"}', (1, 8)),
        (b'{\n "a": "ok",\n "b": "\xc3("}', (3, 8)),
        (b"\xef\xbb\xbf{}", None),  # a BOM decodes, then JSON refuses it
    ],
)
def test_bytes_must_be_utf8(data: bytes, where: tuple[int, int] | None) -> None:
    error = _refusal(data)
    if where is None:
        assert error.reason == "syntax"
        assert "BOM" in error.problem
    else:
        assert error.reason == "encoding"
        assert (error.line, error.column) == where
        assert error.problem.startswith("not UTF-8 text (byte 0x")


@pytest.mark.parametrize("collecting", [True, False])
def test_the_garbage_collector_is_left_as_it_was(collecting: bool) -> None:
    was = gc.isenabled()
    (gc.enable if collecting else gc.disable)()
    try:
        load_json('{"a": [1, 2]}')
        assert gc.isenabled() is collecting
        with pytest.raises(UnreadableJson):
            load_json('{"a": NaN}')
        assert gc.isenabled() is collecting
    finally:
        (gc.enable if was else gc.disable)()


@st.composite
def _with_one_bad_value(draw: st.DrawFn) -> tuple[str, str, str]:
    """JSON text with one refused value put at a drawn place, and that place's path."""
    value = draw(st.dictionaries(st.text(max_size=5), _JSON, min_size=1, max_size=4))
    path, holder, key = "$", value, draw(st.sampled_from(sorted(value)))
    while isinstance(holder[key], dict | list) and holder[key] and draw(st.booleans()):
        path += f"[{key}]" if isinstance(holder, list) else f".{key}"
        holder = holder[key]
        key = draw(
            st.sampled_from(sorted(holder) if isinstance(holder, dict) else range(len(holder)))
        )
    path += f"[{key}]" if isinstance(holder, list) else f".{key}"
    bad = draw(st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999", "7" * 4301]))
    holder[key] = "\x00MARK\x00"
    text = json.dumps(value, indent=draw(st.sampled_from([None, 1])))
    return text.replace('"\\u0000MARK\\u0000"', bad), path, bad


@settings(max_examples=300, deadline=None)
@given(_with_one_bad_value())
def test_the_refused_value_is_found_at_its_path(case: tuple[str, str, str]) -> None:
    text, path, bad = case
    error = _refusal(text)
    assert error.path == (path if len(path) <= 120 else error.path)
    offset = sum(len(line) + 1 for line in text.split("\n")[: error.line - 1])
    assert text[offset + error.column - 1 :].startswith(bad)


def _finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return True


@settings(max_examples=300, deadline=None)
@given(_JSON, st.integers(0, 10_000), st.sampled_from(["", "[", "{", '"', ",", "]", "}", ":"]))
def test_any_broken_text_is_refused_where_json_says(value: Any, at: int, junk: str) -> None:
    text = json.dumps(value)
    at %= len(text) + 1
    broken = text[:at] + junk + text[at:]
    plain: json.JSONDecodeError | None = None
    try:
        expected = json.loads(broken)
    except json.JSONDecodeError as error:
        plain = error
    if plain is None and _finite(expected):
        assert load_json(broken) == expected
    elif plain is None:  # the junk made a number past a double (json.loads reads it as inf)
        assert _refusal(broken).problem.endswith("is too large for a double")
    else:
        error = _refusal(broken)
        assert error.reason == "syntax"
        assert (error.line, error.column) == (plain.lineno, plain.colno)
        assert error.problem == f"not valid JSON ({plain.msg})"
