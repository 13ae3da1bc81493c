"""Seeded generation: a plan node compiled once into a plain function of ``random.Random``.

This is the fast path (no Hypothesis engine): the mocks seed their store with it and make a
stateless run from its id, and the fixture corpus is written with it. The same seed gives the
same values in every process: only ``random.Random``'s own stream is used (never ``hash()`` of a
string, never the global random state).
"""

from __future__ import annotations

import pickle
import random
import time
from collections.abc import Callable
from typing import Any

from ._errors import UnsupportedSchema
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
from ._regex import generator
from ._words import WORDS

__all__ = [
    "DURATION_MAXIMA",
    "Sampler",
    "datetime_text",
    "duration_text",
    "sampler",
    "uri_text",
    "uuid4_text",
]

Sampler = Callable[[random.Random], Any]

_EPOCH_2100 = 4102444800
# Characters for schema-wide text: mostly printable ASCII, then a spread of the rest of Unicode
# (accents, CJK, emoji, a control character, the line separator), never a surrogate.
_ASCII = "".join(chr(c) for c in range(32, 127))
_WIDE = "éøßñ中文字Ωж\u0000\t\n\u2028\u00a0\U0001f600\U0001f4c4\U00010348ﬁ"


def uuid4_text(rng: random.Random) -> str:
    """A random version-4 UUID, lower-case and hyphenated."""
    n = (rng.getrandbits(128) & ~(0xF000 << 64) & ~(0xC000 << 48)) | (0x4000 << 64) | (0x8000 << 48)
    h = f"{n:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def datetime_text(seconds: float) -> str:
    """``seconds`` after the epoch as ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z`` (UTC)."""
    whole = int(seconds)
    micros = round((seconds - whole) * 1_000_000)
    if micros >= 1_000_000:
        whole, micros = whole + 1, 0
    t = time.gmtime(whole)
    if micros:
        return f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}T{t[3]:02d}:{t[4]:02d}:{t[5]:02d}.{micros:06d}Z"
    return f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}T{t[3]:02d}:{t[4]:02d}:{t[5]:02d}Z"


def uri_text(scheme: str, host: str, path: list[str]) -> str:
    """An http(s) URL: ``https://invoice.example.com/fee/loan``."""
    return f"{scheme}://{host}.example.com/" + "/".join(path)


_DURATION_UNITS = ("Y", "M", "D", "H", "M", "S")
DURATION_MAXIMA = (30, 11, 30, 23, 59, 59)
"""The largest value of each part of a generated duration (years ... seconds)."""


def duration_text(parts: tuple[int | None, ...]) -> str:
    """An ISO 8601 duration from (years, months, days, hours, minutes, seconds), None for a
    part left out (``P1Y2DT3M``); ``P0D`` when all are left out."""
    date = "".join(
        f"{n}{u}" for n, u in zip(parts[:3], _DURATION_UNITS[:3], strict=True) if n is not None
    )
    time_ = "".join(
        f"{n}{u}" for n, u in zip(parts[3:], _DURATION_UNITS[3:], strict=True) if n is not None
    )
    if not date and not time_:
        return "P0D"
    return "P" + date + ("T" + time_ if time_ else "")


def sampler(node: Node) -> Sampler:
    """The compiled sampler of ``node`` (compiled on first use, then kept on the node)."""
    cached = node._cache.get("sample")
    if cached is None:
        cached = _COMPILERS[type(node)](node)
        node._cache["sample"] = cached
    fn: Sampler = cached
    return fn


def _const(node: Const) -> Sampler:
    value = node.value
    if isinstance(value, (dict, list)):
        # A fresh copy every time, so callers may change what they get; unpickling a frozen
        # copy is about three times faster than copying the structure in Python.
        frozen = pickle.dumps(copy_json(value), protocol=pickle.HIGHEST_PROTOCOL)
        return lambda rng: pickle.loads(frozen)
    return lambda rng: value


def _choice(node: Choice) -> Sampler:
    values = node.values
    n = len(values)
    if any(isinstance(v, (dict, list)) for v in values):
        frozen = [pickle.dumps(copy_json(v), protocol=pickle.HIGHEST_PROTOCOL) for v in values]
        return lambda rng: pickle.loads(frozen[int(rng.random() * n)])
    return lambda rng: values[int(rng.random() * n)]


def _boolean(node: Boolean) -> Sampler:
    return lambda rng: rng.random() < 0.5


def _integer(node: Integer) -> Sampler:
    lo, hi = node.lo, node.hi
    if lo is not None and hi is not None:
        span = hi - lo + 1
        if span <= 1 << 52:
            return lambda rng: lo + int(rng.random() * span)
        return lambda rng: rng.randint(lo, hi)

    def unbounded(rng: random.Random) -> int:
        size = (1 << 8, 1 << 31, 1 << 63)[int(rng.random() * 3)]
        value = rng.randrange(-size, size)
        if lo is not None and value < lo:
            value = lo + (lo - value) % size
        if hi is not None and value > hi:
            value = hi - (value - hi) % size
        return value

    return unbounded


def _number(node: Number) -> Sampler:
    lo, hi, places = node.lo, node.hi, node.places
    low = lo if lo is not None else (hi - 2e6 if hi is not None else -1e6)
    high = hi if hi is not None else low + 2e6

    def number(rng: random.Random) -> float:
        value = low + rng.random() * (high - low)
        if places is not None:
            rounded = round(value, places)
            if low <= rounded <= high:
                return rounded
        return min(max(value, low), high)

    return number


def _text(node: Text) -> Sampler:
    lo = node.min_size
    hi = node.max_size if node.max_size is not None else lo + (24 if node.style == "words" else 16)
    hi = max(hi, lo)
    if node.style == "words":
        words, n = WORDS, len(WORDS)

        def wordy(rng: random.Random) -> str:
            text = words[int(rng.random() * n)]
            for _ in range(int(rng.random() * 3)):
                text += " " + words[int(rng.random() * n)]
            while len(text) < lo:
                text += " " + words[int(rng.random() * n)]
            if len(text) > hi:
                text = text[:hi]
                if len(text.rstrip()) >= lo:
                    text = text.rstrip()
            return text

        return wordy
    wide, ascii_ = _WIDE, _ASCII

    def anything(rng: random.Random) -> str:
        size = lo + int(rng.random() * (min(hi, lo + 16) - lo + 1))
        chars = [
            wide[int(rng.random() * len(wide))]
            if rng.random() < 0.15
            else ascii_[int(rng.random() * len(ascii_))]
            for _ in range(size)
        ]
        return "".join(chars)

    return anything


def _format(node: Format) -> Sampler:
    name = node.name
    if name == "uuid":
        return uuid4_text
    if name == "date-time":
        return lambda rng: datetime_text(rng.random() * _EPOCH_2100)
    if name == "date":
        return lambda rng: datetime_text(rng.random() * _EPOCH_2100)[:10]
    if name == "time":
        return lambda rng: datetime_text(rng.random() * 86400)[11:19] + "Z"
    if name == "email":
        words, n = WORDS, len(WORDS)
        return lambda rng: (
            f"{words[int(rng.random() * n)]}.{words[int(rng.random() * n)]}@example.com"
        ).replace(" ", "")
    if name == "uri":
        words, n = WORDS, len(WORDS)

        def uri(rng: random.Random) -> str:
            scheme = "https" if rng.random() < 0.75 else "http"
            path = [words[int(rng.random() * n)] for _ in range(int(rng.random() * 3))]
            return uri_text(scheme, words[int(rng.random() * n)], path)

        return uri
    if name == "ipv4":
        return lambda rng: ".".join(str(int(rng.random() * 256)) for _ in range(4))
    if name == "duration":

        def duration(rng: random.Random) -> str:
            return duration_text(
                tuple(
                    int(rng.random() * (most + 1)) if rng.random() < 0.4 else None
                    for most in DURATION_MAXIMA
                )
            )

        return duration
    raise ValueError(f"unknown format {name!r}")


def _matching(node: Matching) -> Sampler:
    return generator(
        node.regex,
        realistic=node.style == "words",
        min_size=node.min_size,
        max_size=node.max_size,
    )


def _multiple(node: Multiple) -> Sampler:
    lo, span, value = node.lo, node.hi - node.lo + 1, node.value
    if span <= 1 << 52:
        return lambda rng: value(lo + int(rng.random() * span))
    return lambda rng: value(rng.randint(node.lo, node.hi))


_ONE_OF_TRIES = 50


def _one_of(node: OneOf) -> Sampler:
    options = [sampler(o) for o in node.options]
    others, n = node.others, len(options)

    def one_of(rng: random.Random) -> Any:
        for _ in range(_ONE_OF_TRIES):
            index = int(rng.random() * n)
            value = options[index](rng)
            if not others[index](value):
                return value
        raise UnsupportedSchema(
            "oneOf", node.where, f"{_ONE_OF_TRIES} values each matched more than one branch"
        )

    return one_of


def _any_of(node: AnyOf) -> Sampler:
    options = [sampler(o) for o in node.options]
    n = len(options)
    return lambda rng: options[int(rng.random() * n)](rng)


def _array_of(node: ArrayOf) -> Sampler:
    lo, span = node.min_size, node.max_size - node.min_size + 1
    if not node.prefix and not node.unique:
        assert node.item is not None
        item = sampler(node.item)
        return lambda rng: [item(rng) for _ in range(lo + int(rng.random() * span))]
    positions = [sampler(node.position(i)) for i in range(node.max_size)]

    def array(rng: random.Random) -> list[Any]:
        size = lo + int(rng.random() * span)
        if not node.unique:
            return [positions[i](rng) for i in range(size)]
        out: list[Any] = []
        seen: set[str] = set()
        for _ in range(10 * size + 10):  # draws again where a value repeats
            if len(out) == size:
                break
            value = positions[len(out)](rng)
            key = unique_key(value)
            if key not in seen:
                seen.add(key)
                out.append(value)
        if len(out) < lo:
            raise UnsupportedSchema(
                "uniqueItems", "$", f"found {len(out)} distinct items, not {lo}"
            )
        return out

    return array


def _record(node: Record) -> Sampler:
    required = [(name, sampler(n)) for name, n in node.required]
    optional = [(name, sampler(n)) for name, n in node.optional]
    named = set(node.names())
    extra = sampler(node.extra) if node.extra is not None else None
    extra_key = sampler(node.extra_keys) if node.extra_keys is not None else None
    max_extra = node.max_extra
    # The required keys are drawn by one generated dict display (a third faster than a loop,
    # and this is the hot path of seeding a mock with thousands of runs).
    body = ", ".join(f"{name!r}: _f{index}(rng)" for index, (name, _) in enumerate(required))
    source = f"def fixed(rng):\n    return {{{body}}}\n"
    scope: dict[str, Any] = {f"_f{index}": fn for index, (_, fn) in enumerate(required)}
    exec(compile(source, f"<record of {len(required)} keys>", "exec"), scope)
    draw_required: Sampler = scope["fixed"]
    if not optional and extra is None:
        return draw_required

    def record(rng: random.Random) -> dict[str, Any]:
        out: dict[str, Any] = draw_required(rng)
        for name, fn in optional:
            if rng.random() < 0.5:
                out[name] = fn(rng)
        if extra is not None and extra_key is not None and rng.random() < 0.25:
            for _ in range(1 + int(rng.random() * max_extra)):
                key = extra_key(rng)
                if key not in named:
                    out[key] = extra(rng)
        return out

    return record


def _json(node: Json) -> Sampler:
    realistic = node.realistic
    word = sampler(Text(style="words"))
    text = word if realistic else sampler(Text())
    integer = sampler(Integer(0, 10_000) if realistic else Integer())
    number = sampler(Number(0.0, 1000.0, places=2) if realistic else Number())

    def value(rng: random.Random, depth: int) -> Any:
        pick = int(rng.random() * (7 if depth > 0 else 5))
        if pick == 0:
            return None if not realistic else word(rng)
        if pick == 1:
            return rng.random() < 0.5
        if pick == 2:
            return integer(rng)
        if pick == 3:
            return number(rng)
        if pick == 4:
            return text(rng)
        if pick == 5:
            return [value(rng, depth - 1) for _ in range(int(rng.random() * 4))]
        key = word if realistic else text
        return {key(rng): value(rng, depth - 1) for _ in range(int(rng.random() * 4))}

    depth = node.depth
    return lambda rng: value(rng, depth)


def _custom(node: Custom) -> Sampler:
    fn: Sampler = node.sample
    return fn


def _derived(node: Derived) -> Sampler:
    base, derive = sampler(node.base), node.derive

    def derived(rng: random.Random) -> Any:
        def draw(inner: Node) -> Any:
            return sampler(inner)(rng)

        return derive(base(rng), draw)

    return derived


_COMPILERS: dict[type[Node], Callable[[Any], Sampler]] = {
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
