"""Invalid payloads: a valid payload broken in exactly one named place.

The places come from the committed JSON Schema, walked together with a valid payload: every
field present can get a value of a type it does not take, a value outside its enum, a
malformed uuid or date-time, a number under its minimum or a string outside its length
bounds; every required field present can go missing. Each candidate bad value is checked once
against the schema of its place (all ``anyOf`` branches), so a break the contract would accept
(any string is a valid ``extract_model``) is never offered.

A break's label is what :func:`contracts.validate` finds: a value of another type is offered
as ``wrong_type`` only where no branch of the place takes that type (a string at a string enum
is a ``bad_enum``, which validate reports); :meth:`Breakage.found_in` checks a label against
validate's verdict by keyword, and a property test holds it for every kind of break.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from contracts import KINDS, Violation, is_datetime, is_uuid, json_schema

from ._errors import BadArgument
from ._nodes import copy_json
from ._plans import plan
from ._sample import sampler

__all__ = [
    "BREAKS",
    "Breakage",
    "Site",
    "break_payload",
    "breakages",
    "sample_invalid",
    "sites_by_kind",
]

Site = tuple[list[str | int], str, Any, str]
"""One place to break: (path parts, kind of break, bad value or None, what it does)."""

BREAKS = (
    "wrong_type",
    "missing_required",
    "bad_enum",
    "bad_uuid",
    "bad_date_time",
    "under_minimum",
    "too_short",
    "too_long",
)
"""The kinds of break an invalid payload can have."""

_KEYWORDS: Mapping[str, tuple[str, str | None]] = {
    "wrong_type": ("type", None),
    "missing_required": ("required", None),
    "bad_enum": ("enum", None),
    "bad_uuid": ("format", "uuid"),
    "bad_date_time": ("format", "date-time"),
    "under_minimum": ("minimum", None),
    "too_short": ("minLength", None),
    "too_long": ("maxLength", None),
}
"""What :func:`contracts.validate` reports for each kind of break: the keyword of the
:class:`~contracts.Violation` (and its constraint, where that tells two breaks apart)."""

_TYPE_SAMPLES: tuple[tuple[str, Any], ...] = (
    ("null", None),
    ("string", "not the right type"),
    ("integer", 12345),
    ("boolean", True),
    ("array", []),
    ("object", {}),
)


def _a(name: str) -> str:
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


@dataclass(frozen=True)
class Breakage:
    """Where and how a payload breaks the contract.

    ``path`` is the JSON path of the one violation (``$.config.priority``, as
    :attr:`contracts.Violation.path` has it), ``kind`` one of :data:`BREAKS`, ``detail`` says
    what was done in words.
    """

    path: str
    kind: str
    detail: str

    def __str__(self) -> str:
        return f"{self.path}: {self.kind} ({self.detail})"

    def to_json(self) -> dict[str, str]:
        return {"path": self.path, "kind": self.kind, "detail": self.detail}

    def found_in(self, violations: Sequence[Violation]) -> bool:
        """True if ``violations`` (what :func:`contracts.validate` says of the payload) are this
        breakage: every one at its path, and one of them of its kind."""
        keyword, constraint = _KEYWORDS.get(self.kind, ("", None))
        return (
            bool(violations)
            and all(v.path == self.path for v in violations)
            and any(
                v.keyword == keyword and (constraint is None or v.constraint == constraint)
                for v in violations
            )
        )


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())
    checker.checks("uuid")(lambda value: not isinstance(value, str) or is_uuid(value))
    checker.checks("date-time")(lambda value: not isinstance(value, str) or is_datetime(value))
    return checker


@cache
def _root(kind: str) -> dict[str, Any]:
    return json_schema(KINDS[kind])


def _resolve(root: Mapping[str, Any], schema: Any) -> Any:
    while isinstance(schema, Mapping) and "$ref" in schema:
        target: Any = root
        for part in schema["$ref"][2:].split("/"):
            target = target[part]
        schema = target
    return schema


def _branches(root: Mapping[str, Any], schema: Any) -> list[Mapping[str, Any]]:
    schema = _resolve(root, schema)
    if isinstance(schema, Mapping) and "anyOf" in schema:
        out: list[Mapping[str, Any]] = []
        for branch in schema["anyOf"]:
            out += _branches(root, branch)
        return out
    return [schema] if isinstance(schema, Mapping) else []


_PLACES: dict[tuple[str, str], list[tuple[str, Any, str]]] = {}


def _types_taken(branches: list[Mapping[str, Any]]) -> list[str] | None:
    """The JSON types the branches of a place take, in order; None if any branch takes any."""
    taken: list[str] = []
    for branch in branches:
        types = branch.get("type")
        if types is None:
            return None
        for name in [types] if isinstance(types, str) else types:
            if name not in taken:
                taken.append(name)
    return taken


def _candidates(kind: str, pointer: str, schema: Any) -> list[tuple[str, Any, str]]:
    """``(break, bad value, detail)`` for one place, each one the place's schema rejects."""
    key = (kind, pointer)
    if key in _PLACES:
        return _PLACES[key]
    root = _root(kind)
    wanted: list[tuple[str, Any, str]] = []
    taken = _types_taken(_branches(root, schema))
    if taken is not None:  # every branch names its types: a value of any other is a wrong type
        expected = " or ".join(_a(name) for name in taken)
        for name, value in _TYPE_SAMPLES:
            if name not in taken and not (name == "integer" and "number" in taken):
                wanted.append(
                    ("wrong_type", value, f"{_a(name)} where the contract wants {expected}")
                )
    for branch in _branches(root, schema):
        if "enum" in branch:
            wanted.append(("bad_enum", "NOT_AN_ENUM_VALUE", "a string outside the enum"))
        if branch.get("format") == "uuid":
            wanted.append(("bad_uuid", "not-a-uuid", "a string that is not a UUID"))
        if branch.get("format") == "date-time":
            wanted.append(("bad_date_time", "2025-13-45T25:61:00Z", "an impossible date-time"))
        if "minimum" in branch:
            low = branch["minimum"] - 1
            wanted.append(("under_minimum", low, f"{low}, under the minimum {branch['minimum']}"))
        if branch.get("minLength", 0) > 0:
            wanted.append(("too_short", "", f"shorter than minLength {branch['minLength']}"))
        if "maxLength" in branch:
            wanted.append(
                (
                    "too_long",
                    "x" * (branch["maxLength"] + 1),
                    f"over maxLength {branch['maxLength']}",
                )
            )
    standalone = {"$defs": root.get("$defs", {}), **(schema if isinstance(schema, Mapping) else {})}
    validator = Draft202012Validator(standalone, format_checker=_format_checker())
    found = [c for c in wanted if not validator.is_valid(c[1])]
    # One wrong type is enough per place; keep every other kind of break.
    wrong = [c for c in found if c[0] == "wrong_type"]
    kept = wrong[:2] + [c for c in found if c[0] != "wrong_type"]
    _PLACES[key] = kept
    return kept


def _path(parts: list[str | int]) -> str:
    text = "$"
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _walk(
    kind: str, schema: Any, value: Any, parts: list[str | int], pointer: str
) -> Iterator[Site]:
    """Every ``(parts, break, bad value, detail)`` for ``value`` at its place in the schema."""
    root = _root(kind)
    branches = _branches(root, schema)
    if isinstance(value, dict):
        branch = next((b for b in branches if b.get("type") == "object"), None)
        if branch is not None and "properties" in branch:
            properties: Mapping[str, Any] = branch["properties"]
            for name in branch.get("required", []):
                if name in value:
                    yield [*parts, name], "missing_required", None, "a required field left out"
            for name, sub in properties.items():
                if name not in value:
                    continue
                here = f"{pointer}/properties/{name}"
                for brk, bad, detail in _candidates(kind, here, sub):
                    yield [*parts, name], brk, bad, detail
                yield from _walk(kind, sub, value[name], [*parts, name], here)
    elif isinstance(value, list):
        branch = next((b for b in branches if b.get("type") == "array"), None)
        if branch is not None and isinstance(branch.get("items"), Mapping) and branch["items"]:
            here = f"{pointer}/items"
            for index, item in enumerate(value[:3]):
                for brk, bad, detail in _candidates(kind, here, branch["items"]):
                    yield [*parts, index], brk, bad, detail
                yield from _walk(kind, branch["items"], item, [*parts, index], here)


def breakages(kind: str, payload: Any) -> list[Site]:
    """Every single-place break of the valid ``payload`` of ``kind``, the whole payload's
    wrong type first (so there is always at least one)."""
    root = _root(kind)
    found: list[Site] = [([], brk, bad, detail) for brk, bad, detail in _candidates(kind, "", root)]
    found += list(_walk(kind, root, payload, [], ""))
    return found


def break_payload(payload: Any, site: Site) -> tuple[Any, Breakage]:
    """A copy of ``payload`` with the one break ``site`` (from :func:`breakages`) applied."""
    parts, brk, bad, detail = site
    broken = copy_json(payload)
    if not parts:
        return copy_json(bad), Breakage("$", brk, detail)
    holder = broken
    for part in parts[:-1]:
        holder = holder[part]
    if brk == "missing_required":
        del holder[parts[-1]]
    else:
        holder[parts[-1]] = copy_json(bad)
    return broken, Breakage(_path(parts), brk, detail)


def sample_invalid(
    kind: str, *, seed: int, count: int = 1, realistic: bool = True
) -> list[tuple[dict[str, Any], Breakage]]:
    """``count`` seeded ``(payload, breakage)`` pairs: valid ``kind`` payloads, each broken in
    the one place its breakage names. Same arguments, same pairs, in any process."""
    if kind not in KINDS:
        raise BadArgument(f"kind={kind!r}: the kinds are {', '.join(KINDS)}")
    rng = random.Random(seed)
    draw = sampler(plan(kind, realistic=realistic))
    out = []
    for _ in range(count):
        payload = draw(rng)
        by_kind = sites_by_kind(kind, payload)
        chosen = sorted(by_kind)[int(rng.random() * len(by_kind))]
        sites = by_kind[chosen]
        out.append(break_payload(payload, sites[int(rng.random() * len(sites))]))
    return out


def sites_by_kind(kind: str, payload: Any) -> dict[str, list[Site]]:
    """The breaks of ``payload`` grouped by kind of break (so each kind is as likely), leaving
    out breaking the whole payload when there is anything inside to break."""
    sites = breakages(kind, payload)
    inner = [s for s in sites if s[0]] or sites
    grouped: dict[str, list[Site]] = {}
    for site in inner:
        grouped.setdefault(site[1], []).append(site)
    return grouped
