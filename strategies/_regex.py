"""A JSON Schema ``pattern`` (an ECMA-262 regular expression), read once for both interpreters.

A string is valid when the pattern *matches* it somewhere (``re.search``), in the ECMA-262
dialect. :func:`read_pattern` translates the few places where Python's dialect differs, so a
value made for the translation is valid for an ECMA validator and for python-jsonschema (which
uses Python's ``re`` on the pattern as written) alike:

- ``.`` matches no line terminator (``\\n``, ``\\r``, U+2028, U+2029) and ``$`` only at the very
  end (Python's ``$`` also matches before a final newline): they become a negated class and
  ``\\Z``;
- ``\\d``, ``\\w``, ``\\b`` are ASCII (compiled with ``re.ASCII``);
- ``\\s`` and ``\\S`` are ECMA-262's white space and line terminators (U+FEFF and every
  Unicode space among them), written out as a class.

Patterns that cannot be honoured are refused with :class:`UnsupportedSchema` naming the keyword
and the pattern: backreferences, lookbehind, ``\\B``, ``\\A``/``\\Z`` (not ECMA-262), and
anything Python cannot compile (``\\p{...}``, ...).

:func:`generator` is the seeded generator (no Hypothesis): a small walk over the parse tree of
Python's own regular-expression parser (``re._parser``, ``sre_parse`` before Python 3.11). Why
not rstr 3.2.2 (it does take a seeded ``random.Random``, and imports ``re._parser`` first, so
no deprecation warning)? Its negated classes pick from a ``set`` of characters, whose order
changes with the string hash seed, so the same seed gives other strings in another process; it
writes a lookahead's (and a lookbehind's) content into the string and drops a negative one
silently; its ``.`` gives
``\\r``, which ECMA-262's ``.`` does not match; it repeats ``*`` and ``+`` up to 100 times. The
walk below is short, draws only ``random.Random``'s stream (the same strings on Python 3.10 to
3.13 and in every process), and every value it makes is checked by both compiled patterns.
Lookaheads are drawn as if absent and the value checked; other constructs are drawn exactly.
"""

from __future__ import annotations

import importlib
import random
import re
import string
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._errors import UnsupportedSchema

__all__ = ["Regex", "generator", "read_pattern"]

try:  # the parser's output is stable from 3.10 to 3.13; its module moved in 3.11
    _parser: Any = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - Python 3.10
    _parser = importlib.import_module("sre_parse")

_TERMINATORS = "\n\r\u2028\u2029"
# ECMA-262's \s: its WhiteSpace (tab, VT, FF, U+FEFF and every Zs space) and LineTerminator.
# Python's \s (ASCII, or Unicode) lacks U+FEFF, or the non-ASCII ones: written out instead.
_ECMA_SPACE = (
    "\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
)
_UNASSIGNED = ("Cn", "Co", "Cs")  # unassigned, private use, surrogates
_ANY = "[^\\n\\r\\u2028\\u2029]"
_NOT_ECMA = {"A": "\\A", "Z": "\\Z", "z": "\\z", "k": "\\k (a named backreference)"}
_REPEAT_EXTRA = 5  # an open repeat ({2,}, *, +) draws up to this many more than its minimum
_TRIES = 200


@dataclass(frozen=True)
class Regex:
    """A pattern as written, its ECMA-262 translation, and whether it is anchored."""

    source: str
    where: str
    """Where the pattern is in its schema (for errors)."""
    ecma: re.Pattern[str]
    """The translation, compiled with ``re.ASCII``: what values are made for."""
    python: re.Pattern[str]
    """The pattern as python-jsonschema compiles it."""
    anchored: bool
    """Starts with ``^`` or ends with ``$``: values then fullmatch the pattern."""
    tree: Any
    """The parse tree of :attr:`ecma`."""

    def accepts(self, value: str) -> bool:
        """Whether both dialects find the pattern in ``value`` (and it is valid UTF-8)."""
        if not (self.ecma.search(value) and self.python.search(value)):
            return False
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True


def _translate(source: str, where: str) -> str:
    out: list[str] = []
    i, in_class = 0, False
    while i < len(source):
        char = source[i]
        if char == "\\" and i + 1 < len(source):
            nxt = source[i + 1]
            if not in_class and nxt in _NOT_ECMA:
                raise UnsupportedSchema(
                    "pattern", where, f"{source!r} uses {_NOT_ECMA[nxt]}, which is not ECMA-262"
                )
            if nxt == "s":  # ECMA's whitespace, in a class or as one
                out.append(_ECMA_SPACE if in_class else f"[{_ECMA_SPACE}]")
            elif nxt == "S" and in_class:
                raise UnsupportedSchema(
                    "pattern", where, f"{source!r} uses \\S inside a class (not generated)"
                )
            elif nxt == "S":
                out.append(f"[^{_ECMA_SPACE}]")
            else:
                out.append(source[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if source[i + 1 : i + 2] == "]" or source[i + 1 : i + 3] == "^]":
                # ECMA's [] (nothing) and [^] (anything) read differently in Python.
                raise UnsupportedSchema("pattern", where, f"{source!r}: an empty class")
        elif char == ".":
            char = _ANY
        elif char == "$":
            char = "\\Z"
        out.append(char)
        i += 1
    return "".join(out)


def _walk(tree: Any, visit: Callable[[str, Any], None]) -> None:
    for op, av in tree:
        visit(op.name, av)
        if op.name in ("SUBPATTERN",):
            _walk(av[-1], visit)
        elif op.name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            _walk(av[2], visit)
        elif op.name in ("ASSERT", "ASSERT_NOT"):
            _walk(av[1], visit)
        elif op.name == "ATOMIC_GROUP":
            _walk(av, visit)
        elif op.name == "BRANCH":
            for branch in av[1]:
                _walk(branch, visit)


def read_pattern(source: Any, where: str) -> Regex:
    """The pattern ``source`` read for generation; :class:`UnsupportedSchema` if it cannot be."""
    if not isinstance(source, str):
        raise UnsupportedSchema("pattern", where, f"{source!r} is not a string")
    translated = _translate(source, where)
    try:
        ecma = re.compile(translated, re.ASCII)
        python = re.compile(source)
        tree = _parser.parse(translated, re.ASCII)
    except (re.error, OverflowError, RecursionError) as exc:
        raise UnsupportedSchema(
            "pattern", where, f"{source!r} is not a regular expression Python reads: {exc}"
        ) from None

    def refuse(name: str, av: Any) -> None:
        if name in ("GROUPREF", "GROUPREF_EXISTS"):
            raise UnsupportedSchema("pattern", where, f"{source!r} uses a backreference")
        if name in ("ASSERT", "ASSERT_NOT") and av[0] < 0:
            raise UnsupportedSchema("pattern", where, f"{source!r} uses a lookbehind")
        if name == "AT" and av.name == "AT_NON_BOUNDARY":
            raise UnsupportedSchema("pattern", where, f"{source!r} uses \\B (a non-boundary)")

    _walk(tree, refuse)
    items = list(tree)
    anchored = bool(items) and (
        (items[0][0].name == "AT" and items[0][1].name == "AT_BEGINNING")
        or (items[-1][0].name == "AT" and items[-1][1].name == "AT_END_STRING")
    )
    return Regex(source, where, ecma, python, anchored, tree)


# ---------------------------------------------------------------- the seeded generator

_REALISTIC = string.ascii_lowercase + string.digits
_WIDE = (
    "".join(chr(c) for c in range(32, 127)) + "\t\u00e9\u00f8\u00df\u4e2d\u6587\u03a9\u0436"
    "\u00a0\U0001f600\U0001f4c4\ufb01"
)
_CATEGORIES = {
    "CATEGORY_DIGIT": string.digits,
    "CATEGORY_SPACE": " \t\n\r\f\v",
    "CATEGORY_WORD": string.ascii_letters + string.digits + "_",
}


def _in_category(name: str, char: str) -> bool:
    if name.startswith("CATEGORY_NOT_"):
        return char not in _CATEGORIES["CATEGORY_" + name[len("CATEGORY_NOT_") :]]
    return char in _CATEGORIES.get(name, "")


def _in_set(items: Any, char: str) -> bool:
    code = ord(char)
    for op, av in items:
        name = op.name
        if (
            (name == "LITERAL" and code == av)
            or (name == "RANGE" and av[0] <= code <= av[1])
            or (name == "CATEGORY" and _in_category(av.name, char))
        ):
            return True
    return False


class _Walk:
    def __init__(self, rng: random.Random, alphabet: str) -> None:
        self.rng, self.alphabet = rng, alphabet

    def pick(self, chars: str) -> str:
        return chars[int(self.rng.random() * len(chars))]

    def outside(self, test: Callable[[str], bool]) -> str:
        """A character of the alphabet (else of all the wide one) that ``test`` rejects."""
        for chars in (self.alphabet, _WIDE + _TERMINATORS):
            allowed = [c for c in chars if not test(c)]
            if allowed:
                return allowed[int(self.rng.random() * len(allowed))]
        raise LookupError("no character fits")

    def char_in(self, items: Any) -> str:
        items = list(items)
        if items and items[0][0].name == "NEGATE":
            return self.outside(lambda c: _in_set(items[1:], c))
        op, av = items[int(self.rng.random() * len(items))]
        if op.name == "LITERAL":
            return chr(av)
        if op.name == "RANGE":
            lo, hi = av
            for _ in range(8):  # an assigned character (never a surrogate), if one is near
                char = chr(lo + int(self.rng.random() * (hi - lo + 1)))
                if unicodedata.category(char) not in _UNASSIGNED:
                    return char
            if unicodedata.category(chr(lo)) == "Cs":
                raise LookupError("a class of surrogates")
            return chr(lo)
        name = av.name
        if name in _CATEGORIES:
            own = _CATEGORIES[name]
            return self.pick(own if name != "CATEGORY_SPACE" else " ")
        return self.outside(lambda c: not _in_category(name, c))

    def text(self, tree: Any) -> str:
        out: list[str] = []
        for op, av in tree:
            name = op.name
            if name == "LITERAL":
                out.append(chr(av))
            elif name == "NOT_LITERAL":
                out.append(self.outside(chr(av).__eq__))
            elif name == "IN":
                out.append(self.char_in(av))
            elif name == "ANY":  # only with (?s): ECMA's "." was translated to a class
                out.append(self.pick(self.alphabet))
            elif name == "BRANCH":
                out.append(self.text(av[1][int(self.rng.random() * len(av[1]))]))
            elif name == "SUBPATTERN":
                out.append(self.text(av[-1]))
            elif name == "ATOMIC_GROUP":
                out.append(self.text(av))
            elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                lo, hi, inner = av
                top = min(hi, lo + _REPEAT_EXTRA)
                count = lo + int(self.rng.random() * (top - lo + 1))
                out.extend(self.text(inner) for _ in range(count))
            # AT (anchors, boundaries) and lookaheads draw nothing: the value is checked after.
        return "".join(out)


def generator(
    regex: Regex, *, realistic: bool, min_size: int = 0, max_size: int | None = None
) -> Callable[[random.Random], str]:
    """A function of ``random.Random`` that makes a string the pattern accepts, of
    ``min_size`` to ``max_size`` characters; it raises :class:`UnsupportedSchema` if
    :data:`_TRIES` tries find none. An unanchored pattern gets a little text around its match
    when schema-wide."""
    alphabet = _REALISTIC if realistic else _WIDE
    pad = not realistic and not regex.anchored

    def fits(value: str) -> bool:
        if len(value) < min_size or (max_size is not None and len(value) > max_size):
            return False
        return regex.accepts(value)

    def make(rng: random.Random) -> str:
        walk = _Walk(rng, alphabet)
        for attempt in range(_TRIES):
            try:
                value = walk.text(regex.tree)
            except LookupError:
                continue
            if pad and attempt % 2 == 0:
                before = "".join(walk.pick(alphabet) for _ in range(int(rng.random() * 4)))
                after = "".join(walk.pick(alphabet) for _ in range(int(rng.random() * 4)))
                padded = before + value + after
                if fits(padded):
                    return padded
            if fits(value):
                return value
        bounds = f" of {min_size} to {max_size} characters" if min_size or max_size else ""
        raise UnsupportedSchema(
            "pattern", regex.where, f"found no string{bounds} that {regex.source!r} matches"
        )

    return make
