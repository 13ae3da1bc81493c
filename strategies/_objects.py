"""What an object's keys obey beyond its named properties: ``patternProperties`` and
``minProperties``/``maxProperties``, applied after a :class:`Record` is drawn.

The compiler wraps such a record in a :class:`Derived` node whose step is an
:class:`ObjectRules`, so both interpreters run the same step (it draws through the ``draw`` it is
given: seeded or Hypothesis).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._errors import UnsupportedSchema
from ._nodes import Draw, Integer, Matching, Node

__all__ = ["ObjectRules", "PatternKeys"]

_TRIES = 20


@dataclass(frozen=True)
class PatternKeys:
    """Keys matching ``key.regex`` (a :class:`Matching` node) with values of ``value``."""

    key: Matching
    value: Node
    count: Integer
    """How many such keys a draw tries to add."""


@dataclass(frozen=True, eq=False)
class ObjectRules:
    """Completes a drawn object: pattern keys in, then its size brought within bounds."""

    named: frozenset[str]
    required: frozenset[str]
    optional: tuple[tuple[str, Node], ...]
    """The named keys that may be left out, in order (added first when too few)."""
    patterns: tuple[PatternKeys, ...]
    filler: tuple[Node, Node] | None
    """``(key, value)`` nodes of further keys (additionalProperties) when too few."""
    min_size: int
    max_size: int | None
    where: str

    def pattern_of(self, key: str) -> list[PatternKeys]:
        return [p for p in self.patterns if p.key.regex.accepts(key)]

    def __call__(self, obj: dict[str, Any], draw: Draw) -> dict[str, Any]:
        for key in [k for k in obj if k not in self.named and self.pattern_of(k)]:
            del obj[key]  # drawn as an additional property; a pattern's schema applies to it
        for group in self.patterns:
            for _ in range(draw(group.count)):
                self._add(obj, draw, group)
        if self.max_size is not None and len(obj) > self.max_size:
            for key in [k for k in reversed(obj) if k not in self.required]:
                del obj[key]
                if len(obj) <= self.max_size:
                    break
        for name, node in self.optional:
            if len(obj) >= self.min_size:
                break
            if name not in obj:
                obj[name] = draw(node)
        if self.filler is not None and len(obj) < self.min_size:
            key_node, value_node = self.filler
            base = draw(key_node)
            for number in range(_TRIES * self.min_size):
                if len(obj) >= self.min_size:
                    break
                key = base if number == 0 else f"{base}_{number}"  # distinct, however drawn
                if key not in obj and key not in self.named and not self.pattern_of(key):
                    obj[key] = draw(value_node)
        for tries in range(_TRIES):
            if len(obj) >= self.min_size or not self.patterns:
                break
            self._add(obj, draw, self.patterns[tries % len(self.patterns)])
        if len(obj) < self.min_size:
            raise UnsupportedSchema(
                "minProperties", self.where, f"found {len(obj)} distinct keys, not {self.min_size}"
            )
        return obj

    def _add(self, obj: dict[str, Any], draw: Draw, group: PatternKeys) -> None:
        key = draw(group.key)
        if key in obj or key in self.named or self.pattern_of(key) != [group]:
            return  # a key of two patterns would have to satisfy both: left out
        obj[key] = draw(group.value)
