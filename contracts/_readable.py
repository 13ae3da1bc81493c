"""What a JSON reader holds, beyond what a JSON Schema can say: the rules
:func:`contracts.validate` adds to the schema, for payloads built in Python (the bounded reader,
:func:`contracts.load_json`, already refuses all of this in text).

- Every number is a finite double (RFC 8259, section 6): NaN and Infinity are not JSON (the
  real service, on Starlette, cannot send them; ``JSON.parse`` refuses them), and an integer
  past a double's range breaks the official client wherever it types a value ``float``
  (``data``).
- Arrays and objects nest at most :data:`~contracts.MAX_DEPTH` deep: the official client's
  ``json.loads`` fails somewhere under 1,000 levels (where depends on its stack), and every
  reader of the toolkit stops at 128.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from ._bounded_json import MAX_DEPTH

__all__ = ["readable", "unreadable", "with_stand_ins"]

# The smallest integer that float() cannot hold: halfway between the largest double and 2**1024
# rounds up, to infinity.
_INT_PAST_DOUBLE = 2**1024 - 2**970
_TOO_DEEP = f"nested deeper than {MAX_DEPTH} levels"


def unreadable(payload: Any) -> Iterator[tuple[list[Any], str]]:
    """(path parts, message) of every value in ``payload`` that a JSON reader does not hold: a
    number that is not a finite double, a container past :data:`MAX_DEPTH` (not entered)."""
    stack: list[tuple[list[Any], Any, int]] = [([], payload, 0)]
    while stack:
        parts, value, depth = stack.pop()
        if isinstance(value, dict | list) and depth == MAX_DEPTH:
            yield parts, _TOO_DEEP
        elif isinstance(value, dict):
            stack += [([*parts, key], child, depth + 1) for key, child in value.items()]
        elif isinstance(value, list):
            stack += [([*parts, index], child, depth + 1) for index, child in enumerate(value)]
        elif isinstance(value, float) and math.isnan(value):
            yield parts, "NaN is not a JSON number"
        elif isinstance(value, float) and math.isinf(value):
            yield parts, f"{'-' if value < 0 else ''}Infinity is not a JSON number"
        elif isinstance(value, int) and not isinstance(value, bool):
            try:
                float(value)
            except OverflowError:
                yield (
                    parts,
                    f"an integer of {value.bit_length()} bits is past the range of a double "
                    "(about 1.8e308), which JSON readers hold numbers in",
                )


def readable(payload: Any) -> bool:
    """Fast :func:`unreadable` (a property test holds them equal): True if it finds nothing.
    Called on every payload validated, so only containers are pushed and nothing is built."""
    if type(payload) is not dict and type(payload) is not list:
        return not any(True for _ in unreadable(payload))
    stack: list[tuple[Any, int]] = [(payload, 1)]
    pop, push = stack.pop, stack.append
    while stack:
        node, depth = pop()
        if depth > MAX_DEPTH:
            return False
        depth += 1
        for child in node.values() if type(node) is dict else node:
            kind = type(child)
            if kind is str:  # the most common value, first
                continue
            if kind is dict or kind is list:
                push((child, depth))
            elif kind is float:
                if child - child != 0:  # NaN and the infinities only
                    return False
            elif kind is int:
                if not -_INT_PAST_DOUBLE < child < _INT_PAST_DOUBLE:
                    return False
            elif kind is not bool and isinstance(child, dict | list | float | int):
                return not any(True for _ in unreadable(payload))  # a subclass
    return True


def _stand_in(value: Any) -> Any:
    if isinstance(value, dict):
        return {}
    if isinstance(value, list):
        return []
    return 0.0 if isinstance(value, float) else 0


def with_stand_ins(payload: Any, places: list[list[Any]]) -> Any:
    """``payload`` with the value at each place (path parts) replaced by an empty or zero value
    of its type: only the containers on the way are copied (never the whole, which may be too
    deep to copy), so the schema judges the rest without printing what no reader holds."""
    copied: set[int] = set()

    def own(node: Any) -> Any:
        fresh = dict(node) if isinstance(node, dict) else list(node)
        copied.add(id(fresh))
        return fresh

    root = payload
    for parts in places:
        if not parts:
            return _stand_in(payload)
        if id(root) not in copied:
            root = own(root)
        holder = root
        for part in parts[:-1]:
            if id(holder[part]) not in copied:
                holder[part] = own(holder[part])
            holder = holder[part]
        holder[parts[-1]] = _stand_in(holder[parts[-1]])
    return root
