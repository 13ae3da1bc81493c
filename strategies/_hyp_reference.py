"""The reference Hypothesis interpreter of a plan: the obvious strategy for each node.

Read this one first. Each kind of node becomes the Hypothesis strategy that says what it means:
``just``, ``sampled_from``, ``integers``, ``floats``, ``text``, ``one_of``, ``lists``,
``fixed_dictionaries``, ``builds``. The public strategies use :mod:`._hyp_tuned` instead,
which makes the same values with fewer engine choices per example (and shrinks them the same
way); a test draws from both interpreters for every kind of payload and checks every value.

One registry (:data:`BUILDERS`), one protocol: a builder gets the node and ``sub``, the
interpreter's own function for a child node, so the tuned interpreter reuses the builders of
the nodes it does not tune with its own children.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from typing import Any, Literal

from hypothesis import strategies as st

from ._nodes import (
    AnyOf,
    ArrayOf,
    Boolean,
    Choice,
    Const,
    Custom,
    Derived,
    Format,
    Integer,
    Json,
    Matching,
    Multiple,
    Node,
    Number,
    OneOf,
    Record,
    Text,
    copy_json,
    unique_key,
)
from ._sample import DURATION_MAXIMA, duration_text, uri_text
from ._words import PHRASES, WORDS

__all__ = [
    "BUILDERS",
    "FORMATS",
    "WIDE_TEXT_EXTRA",
    "Builder",
    "Finish",
    "Strategy",
    "Sub",
    "fit_text",
    "json_values",
    "rounder",
    "strategy",
]

Strategy = st.SearchStrategy[Any]
Finish = Callable[[Any], Any]
Sub = Callable[[Node], Strategy]
Builder = Callable[[Any, Sub], Strategy]
"""``builder(node, sub)``: the strategy of ``node``; ``sub(child)`` is the child's strategy."""

WIDE_TEXT_EXTRA = 20  # schema-wide text without a maxLength: up to this many characters more


def strategy(node: Node) -> Strategy:
    """The reference strategy of ``node`` (built on first use, then kept on the node)."""
    cached = node._cache.get("reference")
    if cached is None:
        cached = node._cache["reference"] = BUILDERS[type(node)](node, strategy)
    built: Strategy = cached
    return built


def fit_text(text: str, lo: int, hi: int | None) -> str:
    """``text`` padded (with ``x``) or cut to between ``lo`` and ``hi`` characters."""
    if len(text) < lo:
        text += "x" * (lo - len(text))
    if hi is not None and len(text) > hi:
        text = text[:hi]
    return text


# ---------------------------------------------------------------- formats
# Each format is drawn as one integer (microseconds since 0001-01-01, 128 bits, ...) or a few
# words, then written as text: it shrinks to the smallest number (0001-01-01T00:00:00Z).


def _utc_text(moment: dt.datetime) -> str:
    text = (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T"
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    )
    return text + (f".{moment.microsecond:06d}Z" if moment.microsecond else "Z")


_DAY = 86_400_000_000  # microseconds
_MAX_MICROS = (dt.datetime.max - dt.datetime.min) // dt.timedelta(microseconds=1)


def _moment(micros: int) -> dt.datetime:
    return dt.datetime.min + dt.timedelta(microseconds=micros)


def _uuid_text(number: int) -> str:
    h = f"{number:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _date_time_text(micros: int) -> str:
    return _utc_text(_moment(micros))


def _date_text(days: int) -> str:
    return _utc_text(_moment(days * _DAY))[:10]


def _time_text(s: int) -> str:
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}Z"


def _email_text(pair: tuple[str, str]) -> str:
    return f"{pair[0]}.{pair[1]}@example.com"


def _uri_text(parts: tuple[bool, str, list[str]]) -> str:
    return uri_text("http" if parts[0] else "https", parts[1], parts[2])


def _ipv4_text(number: int) -> str:
    return ".".join(str(number >> shift & 255) for shift in (24, 16, 8, 0))


_DURATION_PARTS = [st.none() | st.integers(0, most) for most in DURATION_MAXIMA]


FORMATS: dict[str, Callable[[], tuple[Strategy, Finish]]] = {
    # any 128 bits, lower-case and hyphenated (st.uuids() costs twice as much per draw)
    "uuid": lambda: (st.integers(0, (1 << 128) - 1), _uuid_text),
    "date-time": lambda: (st.integers(0, _MAX_MICROS), _date_time_text),
    "date": lambda: (st.integers(0, _MAX_MICROS // _DAY), _date_text),
    "time": lambda: (st.integers(0, 86_399), _time_text),
    "email": lambda: (st.tuples(st.sampled_from(WORDS), st.sampled_from(WORDS)), _email_text),
    "uri": lambda: (
        st.tuples(
            st.booleans(), st.sampled_from(WORDS), st.lists(st.sampled_from(WORDS), max_size=3)
        ),
        _uri_text,
    ),
    "ipv4": lambda: (st.integers(0, (1 << 32) - 1), _ipv4_text),
    "duration": lambda: (st.tuples(*_DURATION_PARTS), duration_text),
}
"""Format name -> ``(strategy, finish)``: a value is ``finish`` of what ``strategy`` draws."""


# ---------------------------------------------------------------- the builders


def _const(node: Const, sub: Sub) -> Strategy:
    return st.just(node.value).map(copy_json)


def _choice(node: Choice, sub: Sub) -> Strategy:
    return st.sampled_from(node.values).map(copy_json)


def _boolean(node: Boolean, sub: Sub) -> Strategy:
    return st.booleans()


def _integer(node: Integer, sub: Sub) -> Strategy:
    return st.integers(min_value=node.lo, max_value=node.hi)


def rounder(node: Number) -> Finish | None:
    """What rounds a drawn float to ``node.places`` (when the rounded value stays inside)."""
    places, lo, hi = node.places, node.lo, node.hi
    if places is None:
        return None

    def rounded(value: float) -> float:
        near = round(value, places)
        inside = (lo is None or near >= lo) and (hi is None or near <= hi)
        return near if inside else value

    return rounded


def _number(node: Number, sub: Sub) -> Strategy:
    floats = st.floats(min_value=node.lo, max_value=node.hi, allow_nan=False, allow_infinity=False)
    finish = rounder(node)
    return floats if finish is None else floats.map(finish)


def _text(node: Text, sub: Sub) -> Strategy:
    lo, hi = node.min_size, node.max_size
    if node.style == "words":
        return st.sampled_from(PHRASES).map(lambda text: fit_text(text, lo, hi))
    return st.text(min_size=lo, max_size=hi if hi is not None else lo + WIDE_TEXT_EXTRA)


def _format(node: Format, sub: Sub) -> Strategy:
    inner, finish = FORMATS[node.name]()
    return inner.map(finish)


_UNASSIGNED: tuple[Literal["Cn", "Co", "Cs"], ...] = ("Cn", "Co", "Cs")
"""Unassigned, private use, surrogates."""


def _matching(node: Matching, sub: Sub) -> Strategy:
    # Values are made for the ECMA-262 translation (ASCII classes, "." without line
    # terminators, "$" only at the end) and kept when both dialects accept them. Characters
    # are assigned ones (Unicode grows: one unassigned in this Python's tables may be a letter
    # to another engine), and ASCII ones beside a word boundary or \W: engines whose word
    # characters are Unicode's (jsonschema-rs counts marks and circled letters, Python does
    # not) would see another boundary.
    regex = node.regex
    if "\\b" in regex.source or "\\W" in regex.source:
        chars = st.characters(codec="ascii")
        fits = regex.source.isascii()
    else:
        chars = st.characters(exclude_categories=_UNASSIGNED)
        fits = all(unicodedata.category(c) not in _UNASSIGNED for c in regex.source)
    if fits:
        made = st.from_regex(regex.ecma, fullmatch=regex.anchored, alphabet=chars)
    else:  # a literal outside those characters: any character, then filtered
        made = st.from_regex(regex.ecma, fullmatch=regex.anchored)
    return made.filter(node.fits)


def _multiple(node: Multiple, sub: Sub) -> Strategy:
    return st.integers(node.lo, node.hi).map(node.value)


def _any_of(node: AnyOf, sub: Sub) -> Strategy:
    return st.one_of([sub(option) for option in node.options])


def _one_of(node: OneOf, sub: Sub) -> Strategy:
    def alone(index: int) -> Strategy:
        others = node.others[index]
        return sub(node.options[index]).filter(lambda value: not others(value))

    return st.one_of([alone(i) for i in range(len(node.options))])


def _array_of(node: ArrayOf, sub: Sub) -> Strategy:
    lo, hi = node.min_size, node.max_size
    if not node.prefix:
        assert node.item is not None
        unique = unique_key if node.unique else None
        return st.lists(sub(node.item), min_size=lo, max_size=hi, unique_by=unique)

    def sized(size: int) -> Strategy:
        return st.tuples(*[sub(node.position(i)) for i in range(size)]).map(list)

    made = st.integers(lo, hi).flatmap(sized)
    if node.unique:
        return made.filter(lambda values: len({unique_key(v) for v in values}) == len(values))
    return made


def _with_extra(named: dict[str, Any], extra: dict[str, Any], names: frozenset[str]) -> Any:
    named.update((key, value) for key, value in extra.items() if key not in names)
    return named


def _record(node: Record, sub: Sub) -> Strategy:
    named = st.fixed_dictionaries(
        {name: sub(n) for name, n in node.required},
        optional={name: sub(n) for name, n in node.optional},
    )
    if node.extra is None or node.max_extra == 0:
        return named
    # A model object gets at most one unknown key; a free map up to max_extra.
    most = 1 if node.required or node.optional else node.max_extra
    extra = st.dictionaries(sub(node.extra_keys), sub(node.extra), max_size=most)
    return st.builds(_with_extra, named, extra, st.just(frozenset(node.names())))


def json_values(node: Json) -> Strategy:
    """Any JSON value up to ``node.depth`` containers deep (tame words when realistic)."""
    if node.realistic:
        key: Strategy = st.sampled_from(WORDS)
        leaves = st.one_of(
            st.sampled_from(PHRASES),
            st.integers(0, 10_000),
            st.floats(0, 1000, allow_nan=False).map(lambda x: round(x, 2)),
            st.booleans(),
        )
    else:
        key = st.text(max_size=8)
        leaves = st.one_of(
            st.none(),
            st.booleans(),
            st.integers(),
            st.floats(allow_nan=False, allow_infinity=False),
            st.text(max_size=12),
        )
    if node.depth <= 0:
        return leaves
    if node.depth == 1:  # one level of containers: cheaper than st.recursive, same values
        return st.one_of(
            leaves, st.lists(leaves, max_size=3), st.dictionaries(key, leaves, max_size=3)
        )
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(key, inner, max_size=3),
        max_leaves=4 * node.depth,
    )


def _json(node: Json, sub: Sub) -> Strategy:
    return json_values(node)


def _custom(node: Custom, sub: Sub) -> Strategy:
    built: Strategy = node.strategy()
    return built


def _no_draw(inner: Node) -> Any:
    raise AssertionError("a Derived node marked draws=False drew a value")


def _derived(node: Derived, sub: Sub) -> Strategy:
    base, derive = sub(node.base), node.derive
    if not node.draws:  # a plain map: no composite layer for Hypothesis to track
        return base.map(lambda value: derive(value, _no_draw))

    @st.composite
    def derived(draw: st.DrawFn) -> Any:
        return derive(draw(base), lambda inner: draw(sub(inner)))

    return derived()


BUILDERS: dict[type[Node], Builder] = {
    Const: _const,
    Choice: _choice,
    Boolean: _boolean,
    Integer: _integer,
    Number: _number,
    Text: _text,
    Format: _format,
    Matching: _matching,
    Multiple: _multiple,
    AnyOf: _any_of,
    OneOf: _one_of,
    ArrayOf: _array_of,
    Record: _record,
    Json: _json,
    Custom: _custom,
    Derived: _derived,
}
"""Node type -> its builder: the one registry of the reference interpreter."""
