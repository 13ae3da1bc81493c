"""Reading JSON a user gave, bounded: nesting depth, integer size, and only JSON's own numbers.

Every loader of user JSON calls :func:`load_json`: ``extract-contract serve --data``, the admin
API's bodies, ``extract-contract validate``. It reads what :func:`json.loads` reads, except:

- nesting deeper than ``max_depth`` (128, as serde_json; Python's parser itself fails with a
  ``RecursionError`` somewhere under 1,000, depending on the caller's stack);
- an integer longer than ``max_int_digits`` digits (4,300, Python's own default limit, applied
  here whatever ``sys.set_int_max_str_digits`` says, so the work stays linear);
- ``NaN``, ``Infinity`` and ``-Infinity``, and a number too large for a double (``1e400``, which
  Python would read as infinity): none of them is JSON (RFC 8259), the real service (FastAPI on
  Starlette, ``allow_nan=False``) never sends one, and JavaScript's ``JSON.parse`` refuses them.

Each refusal is an :class:`~contracts.UnreadableJson` carrying the source, line, column, JSON
path (``$[3].data.total``) and what is wrong, so a caller prints one line.

The valid case is the fast one: the C parser with hooks that only raise, then (unless the text
has too few brackets to nest that deep) a walk over the containers, not the scalars, to
measure the depth, with the cyclic garbage collector paused
(JSON has no cycles), which makes the whole faster than a plain ``json.loads``
(``bench/reading.py`` prints both). Only when something is refused does :func:`_locate` read
the text again, down to the first problem, to say where it is: it skips every sound value with
the C parser and reads by hand only the containers around the problem.
"""

from __future__ import annotations

import functools
import gc
import json
import math
import re
import sys
from typing import Any

from ._errors import UnreadableJson

__all__ = ["MAX_DEPTH", "MAX_INT_DIGITS", "load_json"]

MAX_DEPTH = 128
"""Default bound of :func:`load_json` on nesting (arrays and objects inside each other)."""

MAX_INT_DIGITS = 4300
"""Default bound of :func:`load_json` on the digits of one integer."""


class _Refused(Exception):
    """Raised by the parser's hooks; :func:`_locate` then finds where and why."""


def load_json(
    text: str | bytes,
    *,
    source: str = "<json>",
    first_line: int = 1,
    max_depth: int = MAX_DEPTH,
    max_int_digits: int = MAX_INT_DIGITS,
) -> Any:
    """The JSON value in ``text`` (UTF-8 if bytes), within the bounds; else
    :class:`~contracts.UnreadableJson` naming ``source``, the line and column, and the JSON path.

    ``first_line`` is the line number of the text's first line, for one line of a JSON Lines
    file: ``load_json(line, source="runs.jsonl", first_line=7)``.

    >>> load_json('{"total": 12.5}')
    {'total': 12.5}
    >>> load_json('{"total": NaN}', source="run.json")
    Traceback (most recent call last):
    ...
    contracts._errors.UnreadableJson: run.json:1:11: $.total: NaN is not a JSON number
    """
    if isinstance(text, bytes | bytearray):
        text = _decode(bytes(text), source, first_line)
    limit = _int_limit()
    digits = max_int_digits if limit == 0 else min(max_int_digits, limit)
    decoder = _decoder(digits)
    # JSON values hold no reference cycles, so the cyclic collector has nothing to find in
    # what is being built; left on, it walks the growing value again and again (a third of the
    # time of a 100 MB file). Paused here, restored to what it was.
    collecting = gc.isenabled()
    gc.disable()
    try:
        value = decoder.decode(text)
        # Nesting needs brackets: with no more of them than max_depth (inside strings or not),
        # the text cannot be too deep, and the walk (as long as the parse) is spared.
        too_deep = text.count("[") + text.count("{") > max_depth and _too_deep(value, max_depth)
    except (json.JSONDecodeError, _Refused, RecursionError) as exc:
        syntax = exc if isinstance(exc, json.JSONDecodeError) else None
        raise _locate(text, source, first_line, max_depth, digits, syntax) from None
    finally:
        if collecting:
            gc.enable()
    if too_deep:
        raise _locate(text, source, first_line, max_depth, digits, None)
    return value


def _int_limit() -> int:
    """Python's own limit on the digits int() reads (0: none; Python < 3.10.7 has none)."""
    get = getattr(sys, "get_int_max_str_digits", None)
    return int(get()) if get is not None else 0


@functools.lru_cache(maxsize=8)
def _decoder(digits: int) -> json.JSONDecoder:
    """The standard decoder, with hooks that refuse what :func:`load_json` refuses (built once
    per bound: ``json.loads`` with hooks would build a decoder on every call)."""

    def parse_int(literal: str) -> int:
        if len(literal) - (literal[0] == "-") > digits:
            raise _Refused
        return int(literal)

    def parse_float(literal: str) -> float:
        number = float(literal)
        if number - number != 0:  # overflowed to an infinity
            raise _Refused
        return number

    return json.JSONDecoder(parse_constant=_refuse, parse_int=parse_int, parse_float=parse_float)


def _refuse(name: str) -> Any:
    raise _Refused(name)


def _decode(data: bytes, source: str, first_line: int) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + first_line
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise UnreadableJson(
            source,
            f"not UTF-8 text (byte 0x{data[exc.start]:02x})",
            reason="encoding",
            line=line,
            column=column,
        ) from None


def _too_deep(value: Any, max_depth: int) -> bool:
    """True if ``value`` nests arrays and objects more than ``max_depth`` deep (level by level,
    containers only: the scalars, most of a payload, are never looked at one by one)."""
    level = [value] if type(value) is dict or type(value) is list else []
    depth = 0
    while level:
        depth += 1
        if depth > max_depth:
            return True
        level = [  # one comprehension per level, not one per container: a third faster
            child
            for node in level
            for child in (node.values() if type(node) is dict else node)
            if type(child) is dict or type(child) is list
        ]
    return False


_WHITESPACE = re.compile(r"[ \t\n\r]*")
# A scalar where a value is expected: what the parser refused (a constant, a number), or not.
_SCALAR = re.compile(r"(NaN|-?Infinity)|(-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)")


def _path(stack: list[list[Any]]) -> str:
    """The JSON path of the value being read, abbreviated in the middle past 120 characters
    (a path 128 levels deep, or keys of any length, still make one short line)."""
    parts = []
    for bracket, at in stack:
        if bracket == "[":
            parts.append(f"[{at}]")
        elif at is not None:
            try:
                key = str(json.loads(at))
            except ValueError:
                key = at
            parts.append("." + (key if len(key) <= 40 else key[:37] + "..."))
    text = "$" + "".join(parts)
    return text if len(text) <= 120 else f"{text[:50]}...{text[-60:]}"


def _locate(
    text: str,
    source: str,
    first_line: int,
    max_depth: int,
    digits: int,
    syntax: json.JSONDecodeError | None,
) -> UnreadableJson:
    """The first problem in ``text``, where the parser (or the depth walk) met it, located.

    It walks down from the top, never up: in each array or object, the children that parse
    (and are shallow enough) are skipped at the C parser's speed, and the first that does not
    is entered, so only the containers around the problem are read here, token by token.
    """
    scan = _decoder(digits).raw_decode
    stack: list[list[Any]] = []  # [bracket, index or key token], the path down to ``position``

    def refused(offset: int, problem: str, reason: str) -> UnreadableJson:
        line = text.count("\n", 0, offset) + first_line
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        path: str | None = _path(stack)
        if reason == "syntax" and path == "$":  # says nothing
            path = None
        return UnreadableJson(source, problem, reason=reason, line=line, column=column, path=path)

    def broken() -> UnreadableJson:
        if syntax is None:
            # Not a syntax error, and nothing refused on the way down: the parser ran out of
            # its own stack (a caller already deep in recursion), under max_depth.
            return UnreadableJson(
                source, "nested too deeply to be read here", reason="depth", line=first_line
            )
        return refused(syntax.pos, f"not valid JSON ({syntax.msg})", "syntax")

    def skip(at: int) -> int:
        """Past the whitespace at ``at``."""
        return _WHITESPACE.match(text, at).end()  # type: ignore[union-attr]

    def fails(at: int) -> int | None:
        """None if the value at ``at`` is refused or too deep; else where it ends."""
        try:
            value, end = scan(text, at)
        except (json.JSONDecodeError, _Refused, RecursionError):
            return None
        return None if _too_deep(value, max_depth - len(stack)) else int(end)

    if text.startswith("\ufeff"):
        return refused(0, "not valid JSON (Unexpected UTF-8 BOM: decode using utf-8-sig)", "syntax")
    position = skip(0)
    while True:  # ``position`` is at a value that is refused, too deep, or not valid
        opener = text[position : position + 1]
        if opener not in ("[", "{"):
            scalar = _SCALAR.match(text, position)
            if scalar is None:
                return broken()
            constant, number = scalar.groups()
            if constant is not None:
                return refused(position, f"{constant} is not a JSON number", "number")
            if not any(c in number for c in ".eE"):
                count = len(number) - number.startswith("-")
                if count > digits:
                    return refused(
                        position,
                        f"an integer of {count} digits (at most {digits} are read)",
                        "integer",
                    )
            elif math.isinf(float(number)):
                shown = number if len(number) <= 24 else number[:20] + "..."
                return refused(position, f"{shown} is too large for a double", "number")
            return broken()
        if len(stack) >= max_depth:
            return refused(position, f"nested deeper than {max_depth} levels", "depth")
        closer = "]" if opener == "[" else "}"
        stack.append([opener, 0 if opener == "[" else None])
        position = skip(position + 1)
        if text.startswith(closer, position):
            return broken()  # an empty container holds no problem (nor can it be too deep)
        while True:
            if opener == "{":
                if not text.startswith('"', position):
                    return broken()
                try:
                    end = scan(text, position)[1]
                except json.JSONDecodeError:
                    return broken()
                stack[-1][1] = text[position:end]
                position = skip(end)
                if not text.startswith(":", position):
                    return broken()
                position = skip(position + 1)
            ends = fails(position)
            if ends is None:
                break  # the problem is in this child: go down into it
            position = skip(ends)
            if text.startswith(closer, position):
                stack.clear()  # a whole value, and something after it ("Extra data")
                return broken()
            if not text.startswith(",", position):
                return broken()
            position = skip(position + 1)
            stack[-1][1] = stack[-1][1] + 1 if opener == "[" else None
