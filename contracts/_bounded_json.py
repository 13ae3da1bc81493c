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

The valid case is the fast one: the C parser with hooks that only raise, then a walk over the
containers (not the scalars) to measure the depth, with the cyclic garbage collector paused
(JSON has no cycles), which makes the whole faster than a plain ``json.loads``
(``bench/reading.py`` prints both). Only when something is refused does a tokenizer
(:func:`_locate`) read the text again, up to the first problem, to say where it is.
"""

from __future__ import annotations

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
    limit = getattr(sys, "get_int_max_str_digits", lambda: 0)()  # Python < 3.10.7: no limit
    digits = max_int_digits if limit == 0 else min(max_int_digits, limit)

    def parse_int(literal: str) -> int:
        if len(literal) - (literal[0] == "-") > digits:
            raise _Refused
        return int(literal)

    def parse_float(literal: str) -> float:
        number = float(literal)
        if math.isinf(number):
            raise _Refused
        return number

    # JSON values hold no reference cycles, so the cyclic collector has nothing to find in
    # what is being built; left on, it walks the growing value again and again (a third of the
    # time of a 100 MB file). Paused here, restored to what it was.
    collecting = gc.isenabled()
    gc.disable()
    try:
        value = json.loads(
            text, parse_constant=_refuse, parse_int=parse_int, parse_float=parse_float
        )
        too_deep = _too_deep(value, max_depth)
    except json.JSONDecodeError as exc:
        raise _locate(text, source, first_line, max_depth, digits, syntax=exc) from None
    except (_Refused, RecursionError):
        raise _locate(text, source, first_line, max_depth, digits) from None
    finally:
        if collecting:
            gc.enable()
    if too_deep:
        raise _locate(text, source, first_line, max_depth, digits)
    return value


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
        below: list[Any] = []
        for node in level:
            below += [
                child
                for child in (node.values() if type(node) is dict else node)
                if type(child) is dict or type(child) is list
            ]
        level = below
    return False


# One JSON token after optional whitespace; strings in the unrolled form (no backtracking).
_TOKEN = re.compile(
    r"""[ \t\n\r]*(?:
        ("[^"\\]*(?:\\.[^"\\]*)*")
      | ([\[\]{},:])
      | (-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
      | (NaN|-?Infinity)
      | (true|false|null)
    )""",
    re.VERBOSE | re.DOTALL,
)


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
    max_digits: int,
    *,
    syntax: json.JSONDecodeError | None = None,
) -> UnreadableJson:
    """The first problem in ``text`` (up to the syntax error, if one is given), located."""
    end = len(text) if syntax is None else syntax.pos
    stack: list[list[Any]] = []  # [bracket, index or key token]
    position = 0

    def refused(offset: int, problem: str, reason: str) -> UnreadableJson:
        line = text.count("\n", 0, offset) + first_line
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        return UnreadableJson(
            source, problem, reason=reason, line=line, column=column, path=_path(stack)
        )

    while position < end:
        match = _TOKEN.match(text, position, end)
        if match is None:
            break
        position = match.end()
        string, punct, number, constant, _ = match.groups()
        start = match.start(match.lastindex or 0)
        if punct is not None:
            if punct in "[{":
                if len(stack) >= max_depth:
                    return refused(start, f"nested deeper than {max_depth} levels", "depth")
                stack.append([punct, 0 if punct == "[" else None])
            elif punct in "]}":
                if stack:
                    stack.pop()
            elif punct == "," and stack:
                top = stack[-1]
                top[1] = top[1] + 1 if top[0] == "[" else None
        elif string is not None:
            if stack and stack[-1][0] == "{" and stack[-1][1] is None:
                stack[-1][1] = string
        elif constant is not None:
            return refused(start, f"{constant} is not a JSON number", "number")
        elif number is not None:
            if not any(c in number for c in ".eE"):
                count = len(number) - number.startswith("-")
                if count > max_digits:
                    return refused(
                        start,
                        f"an integer of {count} digits (at most {max_digits} are read)",
                        "integer",
                    )
            elif math.isinf(float(number)):
                shown = number if len(number) <= 24 else number[:20] + "..."
                return refused(start, f"{shown} is too large for a double", "number")
    if syntax is not None:
        return UnreadableJson(
            source,
            f"not valid JSON ({syntax.msg})",
            reason="syntax",
            line=syntax.lineno + first_line - 1,
            column=syntax.colno,
            path=_path(stack) if len(stack) > 1 or (stack and stack[0][1] is not None) else None,
        )
    # The parser gave up on nesting its own stack could not hold, under max_depth.
    return UnreadableJson(
        source,
        "nested too deeply to be read here",
        reason="depth",
        line=first_line,
        column=1,
    )
