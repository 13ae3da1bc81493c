"""The tuned Hypothesis interpreter of a plan: what the public strategies draw from.

It makes the values of :mod:`._hyp_reference` (read that first: the obvious strategy per node),
with fewer choices for Hypothesis's engine per example, and it shrinks them the same way. All
the engine-specific tuning lives here, and only here:

- **raw/finish pairs**: a node may be drawn *raw* (an integer for a uuid or a date-time, a
  phrase for text) and finished by a plain function. A record draws its fields' raw values and
  finishes them itself in its one ``map``. Every ``.map`` costs the engine two spans per draw
  (spans are its units of structure: each is tracked, and the mutator copies them between
  examples), so a uuid done this way costs a third of ``st.uuids()``.
- **flat optional choices**: an optional key of fixed values (an enum, a nullable enum, a
  boolean; ``extract_model``'s models beside any string) is one ``sampled_from`` choice with
  its **absence marker** first, instead of ``fixed_dictionaries``' presence flag, key index,
  nested ``one_of`` and key shuffle; the key shrinks away.
- **bit masks of optional keys**: the other optional keys (and a model object's one unknown
  key) are picked by a bit mask, one integer choice per eight keys.

One registry (:data:`_BUILDERS`), one protocol: a builder returns ``(strategy, finish)``; the
nodes it does not tune are built by the reference builders over this interpreter's children.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from ._hyp_reference import BUILDERS as _REFERENCE
from ._hyp_reference import (
    FORMATS,
    WIDE_TEXT_EXTRA,
    Builder,
    Finish,
    Strategy,
    fit_text,
    rounder,
)
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
)
from ._words import PHRASES

__all__ = ["raw", "strategy"]

Raw = tuple[Strategy, Finish | None]


def strategy(node: Node) -> Strategy:
    """The tuned strategy of ``node`` (built on first use, then kept on the node)."""
    cached = node._cache.get("strategy")
    if cached is None:
        inner, finish = raw(node)
        cached = node._cache["strategy"] = inner if finish is None else inner.map(finish)
    built: Strategy = cached
    return built


def raw(node: Node) -> Raw:
    """``(strategy, finish)``: the value of ``node`` is ``finish`` of what ``strategy`` draws
    (``finish`` None: as drawn)."""
    cached = node._cache.get("raw")
    if cached is None:
        cached = node._cache["raw"] = _BUILDERS[type(node)](node)
    made: Raw = cached
    return made


def _mutable(value: Any) -> bool:
    return isinstance(value, (dict, list))


def _const(node: Const) -> Raw:
    return st.just(node.value), copy_json if _mutable(node.value) else None


def _choice(node: Choice) -> Raw:
    mutable = any(_mutable(v) for v in node.values)
    return st.sampled_from(node.values), copy_json if mutable else None


def _number(node: Number) -> Raw:
    floats = st.floats(min_value=node.lo, max_value=node.hi, allow_nan=False, allow_infinity=False)
    return floats, rounder(node)


def _text(node: Text) -> Raw:
    lo, hi = node.min_size, node.max_size
    if node.style == "words":
        # One choice per text (a phrase of one to three words), not one per word: realistic
        # text needs no more, and every choice costs Hypothesis time.
        return st.sampled_from(PHRASES), lambda text: fit_text(text, lo, hi)
    return st.text(min_size=lo, max_size=hi if hi is not None else lo + WIDE_TEXT_EXTRA), None


def _format(node: Format) -> Raw:
    return FORMATS[node.name]()


class _Absent:
    """Marks an optional key left out of a record (never a JSON value). Each key has its
    own marker, so each key's choice is a distinct Hypothesis strategy: the engine's mutator,
    which copies choices between strategies that look alike, then does not turn a fresh
    example into near-copies by swapping one boolean field into another."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<absent {self.name}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Absent) and other.name == self.name

    def __hash__(self) -> int:
        return hash(("absent", self.name))


def _fixed_values(node: Node) -> list[Any] | None:
    if isinstance(node, Choice):
        return list(node.values)
    if isinstance(node, Const):
        return [node.value]
    if isinstance(node, Boolean):
        return [False, True]
    return None


_SCALARS = (Text, Integer, Number, Format, Boolean)


def _flat(node: Node, absent: _Absent) -> Strategy | None:
    """An optional key's strategy of one level, ``absent`` first (so the key shrinks away),
    when its values are fixed (an enum, a nullable enum or boolean) or fixed values beside
    scalars (``extract_model``: a known model, null, or any string); else None."""
    fixed = _fixed_values(node)
    if fixed is not None:
        return _sampled([absent, *fixed])
    if not isinstance(node, AnyOf):
        return None
    values: list[Any] = [absent]
    others: list[Strategy] = []
    for option in node.options:
        more = _fixed_values(option)
        if more is not None:
            values += more
        elif isinstance(option, _SCALARS):
            others.append(strategy(option))
        else:
            return None
    if len(values) <= 2:  # only null beside the scalars: half absent or null, half a value
        return None
    return st.one_of(_sampled(values), *others)


def _sampled(values: list[Any]) -> Strategy:
    chosen = st.sampled_from(values)
    return chosen.map(copy_json) if any(_mutable(v) for v in values) else chosen


_EXTRA = _Absent("(an unknown key)")  # the name of a model object's extra-key slot


def _some(items: list[tuple[Any, Strategy, int]]) -> Strategy:
    """``[(name, value), ...]`` for some of ``items`` ``(name, strategy, bits)``: which ones is
    a bit mask (one integer choice per eight bits, shrinking to none), an item present when
    all of its ``bits`` are set (1: half of the time, 2: a quarter), then one draw per
    present item. fixed_dictionaries(optional=...) spends a continue flag, a key index and a
    span on each present key, then shuffles the key order."""
    width = sum(bits for _, _, bits in items)
    masks = [st.integers(0, (1 << min(8, width - start)) - 1) for start in range(0, width, 8)]
    slots: list[tuple[Any, Strategy, int]] = []
    at = 0
    for name, drawn, bits in items:
        slots.append((name, drawn, ((1 << bits) - 1) << at))
        at += bits

    @st.composite
    def some(draw: st.DrawFn) -> list[tuple[Any, Any]]:
        mask = 0
        for index, part in enumerate(masks):
            mask |= draw(part) << (8 * index)
        return [(name, draw(drawn)) for name, drawn, need in slots if mask & need == need]

    return some()


def _bulky(node: Node) -> bool:
    """Whether ``node`` makes objects or lists (costly to draw), even beside other options."""
    if isinstance(node, AnyOf):
        return any(_bulky(o) for o in node.options)
    return isinstance(node, (Record, ArrayOf, Json))


def _record(node: Record) -> Raw:
    # One tuple, finished in one map. Required values come first (drawn raw, finished
    # here). An optional key of fixed values (an enum, a nullable enum or boolean;
    # extract_model's models beside any string) is one sampled_from choice with its absence
    # marker at the head: one choice per key instead of fixed_dictionaries' presence flag,
    # key index, nested one_of and key-order shuffle; the key is present most of the time
    # (so every enum value shows up), and shrinks away. The other optional keys (objects,
    # lists, text) and a model object's one unknown key are drawn by _some, each present
    # about half of the time; a free map's keys are a list of (key, value) pairs.
    keys = tuple(name for name, _ in node.required)
    flat = [(name, _flat(n, _Absent(name))) for name, n in node.optional]
    flat_keys = tuple(name for name, drawn in flat if drawn is not None)
    required = [raw(n) for _, n in node.required]
    finishes = tuple(finish for _, finish in required)
    parts: list[Strategy] = [drawn for drawn, _ in required]
    parts += [drawn for _, drawn in flat if drawn is not None]
    # An optional object or list (a run's data, its metadata, the deprecated file) is
    # present a quarter of the time: each still shows up in dozens of 300 examples, and
    # they are most of what a schema-wide run costs to draw.
    rest: list[tuple[Any, Strategy, int]] = [
        (name, strategy(n), 2 if _bulky(n) else 1)
        for name, n in node.optional
        if name not in flat_keys
    ]
    free: Strategy | None = None
    if node.extra is not None and node.extra_keys is not None and node.max_extra > 0:
        # (key, value) pairs rather than st.dictionaries: no uniqueness bookkeeping; a repeated
        # key just leaves fewer extra keys, and a named key never overwrites a named field.
        pair = st.tuples(strategy(node.extra_keys), strategy(node.extra))
        if node.required or node.optional:
            # A model object gets at most one unknown key, present like an optional key:
            # one is enough to check that a client keeps what it does not know.
            rest.append((_EXTRA, pair, 1))
        else:
            free = st.lists(pair, max_size=node.max_extra)
    if rest:
        parts.append(_some(rest))
    if free is not None:
        parts.append(free)
    named = frozenset(node.names())
    n_required = len(keys)
    n_flat = n_required + len(flat_keys)

    def assemble(values: tuple[Any, ...]) -> dict[str, Any]:
        out = {
            key: value if finish is None else finish(value)
            for key, value, finish in zip(keys, values[:n_required], finishes, strict=True)
        }
        for name, value in zip(flat_keys, values[n_required:n_flat], strict=True):
            if not isinstance(value, _Absent):
                out[name] = value
        at = n_flat
        if rest:
            for name, value in values[at]:
                if name is not _EXTRA:
                    out[name] = value
                elif value[0] not in named:
                    out[value[0]] = value[1]
            at += 1
        if free is not None:
            for key, value in values[at]:
                if key not in named:
                    out[key] = value
        return out

    return st.tuples(*parts), assemble


def _any_of(node: AnyOf) -> Raw:
    # X or null, X drawn raw (X never draws None raw: see _NEVER_NONE): the finish of X
    # applies to what is not None, instead of a .map of X inside the one_of.
    options = node.options
    nulls = [o for o in options if isinstance(o, Const) and o.value is None]
    others = [o for o in options if o not in nulls]
    if len(options) == 2 and len(nulls) == 1 and isinstance(others[0], _NEVER_NONE):
        inner, finish = raw(others[0])
        if finish is not None:
            parts = [inner if o is others[0] else st.none() for o in options]

            def finish_some(value: Any) -> Any:
                return None if value is None else finish(value)

            return st.one_of(parts), finish_some
    return st.one_of([strategy(o) for o in options]), None


_NEVER_NONE = (Format, Record, Number, Text)
"""Nodes whose raw strategy never draws None."""


def _plain(builder: Builder) -> Callable[[Any], Raw]:
    """A reference builder over this interpreter's children, drawn as it is."""
    return lambda node: (builder(node, strategy), None)


_BUILDERS: dict[type[Node], Callable[[Any], Raw]] = {
    Const: _const,
    Choice: _choice,
    Boolean: _plain(_REFERENCE[Boolean]),
    Integer: _plain(_REFERENCE[Integer]),
    Number: _number,
    Text: _text,
    Format: _format,
    Matching: _plain(_REFERENCE[Matching]),
    Multiple: lambda node: (st.integers(node.lo, node.hi), node.value),
    AnyOf: _any_of,
    OneOf: _plain(_REFERENCE[OneOf]),
    ArrayOf: _plain(_REFERENCE[ArrayOf]),
    Record: _record,
    Json: _plain(_REFERENCE[Json]),
    Custom: _plain(_REFERENCE[Custom]),
    Derived: _plain(_REFERENCE[Derived]),
}
"""Node type -> its builder: the one registry of the tuned interpreter."""
