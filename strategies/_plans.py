"""Generation plans for the four payload kinds, schema-wide and realistic.

Both flavours start from the committed JSON Schema of the kind, compiled by :mod:`._compile`,
so a field added to a model flows in with no edit here. The schema-wide plan is the compiled
schema as it is. The realistic plan compiles the schema in realistic mode (every field present,
words for text), swaps in the few field generators listed in :data:`SPECS`, and finishes each
object with a coherence step (``ERROR`` runs carry ``error``, ``SUCCESS`` runs carry ``data``
valid under their ``data_schema``, ``created_at <= updated_at``, ...).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, partial
from typing import Any

from contracts import KINDS, json_schema

from ._catalog import DATA_SCHEMAS
from ._compile import compile_schema, makes_objects
from ._errors import BadArgument
from ._nodes import (
    AnyOf,
    ArrayOf,
    Choice,
    Const,
    Custom,
    Derived,
    Draw,
    Format,
    Integer,
    Json,
    Node,
    Record,
    Text,
    canonical,
)
from ._sample import datetime_text
from ._words import ERRORS, FILE_STEMS, PROMPTS

__all__ = ["PER_ITEM_TARGETS", "SPECS", "UserData", "data_node", "field_names", "plan"]

PER_ITEM_TARGETS = frozenset({"PER_PAGE", "PER_TABLE_ROW"})
"""Extraction targets whose ``data`` is a list of objects (one per page or table row)."""

_START = 1704067200.0  # 2024-01-01T00:00:00Z
_SPAN = 78 * 7 * 86400.0  # a year and a half of runs
_NULL = Const(None)


# ---------------------------------------------------------------- realistic primitives


def _recent_sample(rng: Any) -> str:
    return datetime_text(round(_START + rng.random() * _SPAN, 6))


def _recent_strategy() -> Any:
    from hypothesis import strategies as st

    return st.integers(0, int(_SPAN * 1_000_000)).map(
        lambda micros: datetime_text(_START + micros / 1_000_000)
    )


RECENT = Custom(_recent_sample, _recent_strategy)
"""A time in 2024-2025, ``...Z``, with microseconds: when realistic runs were created."""


def _page_range(parts: list[tuple[int, int]]) -> str:
    pieces, page = [], 0
    for gap, length in parts:
        first = page + 1 + gap
        last = first + length
        pieces.append(str(first) if length == 0 else f"{first}-{last}")
        page = last
    return ",".join(pieces)


def _page_range_sample(rng: Any) -> str:
    parts = [
        (int(rng.random() * 3), int(rng.random() * 4)) for _ in range(1 + int(rng.random() * 3))
    ]
    return _page_range(parts)


def _page_range_strategy() -> Any:
    from hypothesis import strategies as st

    part = st.tuples(st.integers(0, 5), st.integers(0, 6))
    return st.lists(part, min_size=1, max_size=4).map(_page_range)


PAGE_RANGE = Custom(_page_range_sample, _page_range_strategy)
"""A well-formed 1-based page range such as ``1,3,5-7`` (ascending, never overlapping)."""

_DELTA = Integer(1_000_000, 300_000_000)  # microseconds a run takes: 1 s to 5 min
_METADATA = Record(
    [
        (
            "usage",
            Record(
                [
                    ("num_pages_extracted", Integer(1, 40)),
                    ("num_document_tokens", Integer(200, 60_000)),
                    ("num_output_tokens", Integer(20, 4_000)),
                ]
            ),
        )
    ]
)
_FILE_TYPES = Choice(["pdf", "docx", "png", "xlsx", "csv"])
_FILE_STEMS = Choice(FILE_STEMS)
_FILE_NUMBER = Integer(1, 9999)
_ERRORS = Choice(ERRORS)
_NO_DELTA = Integer(0, 0)
_LIMITS = Choice([5, 10, 20])
_TOTAL = Integer(0, 60)
_MORE = Integer(0, 40)
_UUID = Format("uuid")


@cache
def _upto(high: int) -> Node:
    """Integer(0, high), one node per bound (nodes keep their compiled forms)."""
    return Integer(0, high)


def _seconds(value: Any) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return moment.timestamp() if moment.tzinfo is not None else None


def _ordered_pair(
    obj: dict[str, Any], draw: Draw, fixed: frozenset[str], early: str, late: str, delta: Node
) -> None:
    """Fill whichever of ``early``/``late`` is not fixed so that ``early <= late``."""
    if late not in fixed:
        start = _seconds(obj.get(early))
        obj[late] = None if start is None else datetime_text(start + draw(delta) / 1_000_000)
    elif early not in fixed:
        end = _seconds(obj.get(late))
        obj[early] = None if end is None else datetime_text(end - draw(delta) / 1_000_000)


# ---------------------------------------------------------------- the kinds


@dataclass(frozen=True)
class UserData:
    """A user's extraction schema and the plan of one object under it."""

    schema: Any
    node: Node


@dataclass(frozen=True)
class Spec:
    """How the realistic plan of one kind differs from its compiled schema."""

    fields: Mapping[str, Callable[[Node], Node]] = field(default_factory=dict)
    """Field name -> the realistic node, given the node compiled from the schema."""
    derived: frozenset[str] = frozenset()
    """Fields left out of the first draw and filled in by ``finish``."""
    finish: Callable[[dict[str, Any], Draw, frozenset[str], UserData | None], None] | None = None
    """Completes an object coherently; never touches the fixed fields it is given."""
    finish_draws: bool = True
    """False if ``finish`` never draws (then the Hypothesis form is a plain ``map``)."""


def _non_null(node: Node) -> Node:
    if isinstance(node, Choice) and None in node.values:
        return Choice([v for v in node.values if v is not None])
    if isinstance(node, AnyOf):
        options = [o for o in node.options if not (isinstance(o, Const) and o.value is None)]
        return options[0] if len(options) == 1 else AnyOf(options)
    return node


def _enum_only(node: Node) -> Node:
    """``extract_model`` (enum | any string | null) -> one of the enum values."""
    if isinstance(node, AnyOf):
        return next((o for o in node.options if isinstance(o, Choice)), node)
    return node


def _finish_config(
    obj: dict[str, Any], draw: Draw, fixed: frozenset[str], _: UserData | None
) -> None:
    if "citation_bbox" not in fixed:
        obj["citation_bbox"] = obj.get("cite_sources") is True  # "synonymous with cite_sources"
    if "multimodal_fast_mode" not in fixed:
        obj["multimodal_fast_mode"] = False


def _finish_run(
    obj: dict[str, Any], draw: Draw, fixed: frozenset[str], data: UserData | None
) -> None:
    status = obj.get("status")
    if "updated_at" not in fixed or "created_at" not in fixed:
        delta = _NO_DELTA if status == "CREATED" else _DELTA
        _ordered_pair(obj, draw, fixed, "created_at", "updated_at", delta)
    if "data" not in fixed:
        obj["data"] = None
        if status == "SUCCESS":
            node = data.node if data is not None else _catalog_node(obj.get("data_schema"))
            obj["data"] = draw(_per_target(node, obj.get("config")))
    if "error" not in fixed:
        obj["error"] = draw(_ERRORS) if status == "ERROR" else None
    if "extraction_metadata" not in fixed:
        obj["extraction_metadata"] = draw(_METADATA) if status == "SUCCESS" else None
    if "file" not in fixed:
        obj["file"] = None  # deprecated: real runs name their file by file_id


def _finish_file(
    obj: dict[str, Any], draw: Draw, fixed: frozenset[str], _: UserData | None
) -> None:
    ext = obj.get("file_type") if "file_type" in fixed else draw(_FILE_TYPES)
    if "file_type" not in fixed:
        obj["file_type"] = ext
    if "name" not in fixed:
        number = draw(_FILE_NUMBER)
        obj["name"] = f"{draw(_FILE_STEMS)}-{number:04d}.{ext or 'pdf'}"
    _ordered_pair(obj, draw, fixed, "created_at", "updated_at", _DELTA)
    if "last_modified_at" not in fixed:
        start = _seconds(obj.get("created_at"))
        obj["last_modified_at"] = (
            None if start is None else datetime_text(start - draw(_DELTA) * 100 / 1_000_000)
        )
    if "expires_at" not in fixed:
        start = _seconds(obj.get("created_at"))
        obj["expires_at"] = None if start is None else datetime_text(start + 30 * 86400)


def _finish_page(
    obj: dict[str, Any], draw: Draw, fixed: frozenset[str], data: UserData | None
) -> None:
    limit = obj["limit"] if "limit" in fixed else draw(_LIMITS)
    skip_fixed = "skip" in fixed
    if "items" in fixed:
        count = len(obj["items"]) if isinstance(obj["items"], list) else 0
        limit = limit if "limit" in fixed else max(limit, count)
        skip = obj["skip"] if skip_fixed else draw(_upto(3)) * limit
        extra = draw(_MORE) if count and count >= limit else 0
        total = obj["total"] if "total" in fixed else skip + count + extra
    else:
        total = obj["total"] if "total" in fixed else draw(_TOTAL)
        pages = (total - 1) // limit if isinstance(total, int) and total > 0 and limit else 0
        skip = obj["skip"] if skip_fixed else draw(_upto(max(0, pages))) * limit
        count = max(0, min(limit, total - skip)) if isinstance(total, int) else 0
        agent, project = draw(_UUID), draw(_UUID)
        own = {} if data is None else {"data_schema": Const(data.schema)}
        run = plan("run", realistic=True, fixed=own, data=data)
        items = []
        for _ in range(count):
            item = draw(run)
            item["extraction_agent_id"], item["project_id"] = agent, project
            items.append(item)
        obj["items"] = items
    obj["total"], obj["skip"], obj["limit"] = total, skip, limit


SPECS: Mapping[str, Spec] = {
    "config": Spec(
        fields={
            "extract_model": lambda n: AnyOf([_NULL, _enum_only(n)]),
            "extraction_mode": _non_null,
            "extraction_target": _non_null,
            "page_range": lambda n: AnyOf([_NULL, PAGE_RANGE]),
            "system_prompt": lambda n: AnyOf([_NULL, Choice(PROMPTS)]),
            "num_pages_context": lambda n: AnyOf([_NULL, Integer(1, 8)]),
        },
        derived=frozenset({"citation_bbox", "multimodal_fast_mode"}),
        finish=_finish_config,
        finish_draws=False,
    ),
    "run": Spec(
        fields={
            "config": lambda n: plan("config", realistic=True),
            "data_schema": lambda n: Choice(DATA_SCHEMAS),
            "created_at": lambda n: RECENT,
            "file_id": _non_null,  # every real run comes from a file, by a job
            "job_id": _non_null,
        },
        derived=frozenset({"updated_at", "data", "error", "extraction_metadata", "file"}),
        finish=_finish_run,
    ),
    "file": Spec(
        fields={
            "file_size": lambda n: Integer(1_000, 25_000_000),
            "created_at": lambda n: RECENT,
            "purpose": lambda n: AnyOf([_NULL, Choice(["extract", "parse", "user_data"])]),
            "external_file_id": lambda n: _NULL,
            "data_source_id": lambda n: _NULL,
            "permission_info": lambda n: _NULL,
            "resource_info": lambda n: _NULL,
        },
        derived=frozenset({"name", "file_type", "updated_at", "last_modified_at", "expires_at"}),
        finish=_finish_file,
    ),
    "page": Spec(derived=frozenset({"items", "total", "skip", "limit"}), finish=_finish_page),
}


@cache
def _compiled(kind: str, realistic: bool) -> Record:
    node = compile_schema(json_schema(KINDS[kind]), realistic=realistic)
    assert isinstance(node, Record), f"the {kind} schema is not an object schema"
    return node


def field_names(kind: str) -> list[str]:
    """The published fields of ``kind``, in schema order."""
    return _compiled(kind, False).names()


_PLACEHOLDER = Const(None)  # keeps a field's place in the key order until it is filled in


@cache
def _base(kind: str, realistic: bool, fixed: frozenset[str] = frozenset()) -> Record:
    """The first draw of a ``kind`` object: fixed and derived fields are placeholders, so the
    keys come out in schema order without re-ordering and nothing is drawn twice."""
    compiled = _compiled(kind, realistic)
    if not realistic and not fixed:
        return compiled
    spec = SPECS[kind]
    later = fixed | spec.derived if realistic else fixed

    def node(name: str, compiled_node: Node) -> Node:
        if name in later:
            return _PLACEHOLDER
        if realistic and name in spec.fields:
            return spec.fields[name](compiled_node)
        return compiled_node

    required = [(name, node(name, n)) for name, n in compiled.required]
    required += [(name, _PLACEHOLDER) for name, _ in compiled.optional if name in fixed]
    optional = [(name, n) for name, n in compiled.optional if name not in fixed]
    return Record(
        required,
        optional,
        extra=compiled.extra,
        extra_keys=compiled.extra_keys,
        max_extra=compiled.max_extra,
    )


def _complete(
    kind: str,
    realistic: bool,
    fixed: Mapping[str, Node],
    data: UserData | None,
    obj: dict[str, Any],
    draw: Draw,
) -> dict[str, Any]:
    for name, node in fixed.items():
        obj[name] = draw(node)
    finish = SPECS[kind].finish
    if realistic and finish is not None:
        finish(obj, draw, frozenset(fixed), data)
    elif data is not None and kind == "run" and "data" not in fixed:
        obj["data"] = draw(AnyOf([_NULL, _per_target(data.node, obj.get("config"))]))
    elif data is not None and kind == "page" and "items" not in fixed:
        item = plan("run", realistic=False, fixed={"data_schema": Const(data.schema)}, data=data)
        obj["items"] = draw(ArrayOf(item, 0, 4))
    return obj


@cache
def _default_plan(kind: str, realistic: bool) -> Node:
    base = _base(kind, realistic)
    if not realistic:
        return base
    return Derived(base, partial(_complete, kind, True, {}, None), draws=SPECS[kind].finish_draws)


def plan(
    kind: str,
    *,
    realistic: bool,
    fixed: Mapping[str, Node] | None = None,
    data: UserData | None = None,
) -> Node:
    """The plan of one ``kind`` object; ``fixed`` fields are drawn from their own nodes and
    ``data`` (the user's extraction schema and its plan) makes the data of runs (and of a
    page's runs) follow that schema."""
    if kind not in KINDS:
        raise BadArgument(f"unknown kind {kind!r}; the kinds are: {', '.join(KINDS)}")
    fixed = dict(fixed or {})
    unknown = sorted(set(fixed) - set(field_names(kind)))
    if unknown:
        raise BadArgument(
            f"{kind} has no field {unknown[0]!r}; its fields are: {', '.join(field_names(kind))}"
        )
    if not fixed and data is None:
        return _default_plan(kind, realistic)
    base = _base(kind, realistic, frozenset(fixed))
    return Derived(base, partial(_complete, kind, realistic, fixed, data))


def _per_target(node: Node, config: Any) -> Node:
    target = config.get("extraction_target") if isinstance(config, dict) else None
    if target not in PER_ITEM_TARGETS:
        return node
    many = node._cache.get("per_item")
    if many is None:
        many = node._cache["per_item"] = ArrayOf(node, 1, 3)
    result: Node = many
    return result


_DATA_NODES: dict[tuple[str, bool], Node] = {}
_CATALOG_TITLES = {schema["title"]: index for index, schema in enumerate(DATA_SCHEMAS)}


def _catalog_node(schema: Any) -> Node:
    """The realistic data plan of a run's ``data_schema`` (a catalog one is found by title)."""
    if isinstance(schema, dict):
        index = _CATALOG_TITLES.get(str(schema.get("title")))
        if index is not None and DATA_SCHEMAS[index] == schema:
            return _catalog_nodes()[index]
    return data_node(schema, True)


@cache
def _catalog_nodes() -> tuple[Node, ...]:
    return tuple(data_node(schema, True) for schema in DATA_SCHEMAS)


def data_node(schema: Any, realistic: bool) -> Node:
    """The plan of one extracted object under the extraction schema ``schema`` (cached).

    Raises :class:`UnsupportedSchema` for keywords the compiler does not know, and
    :class:`BadArgument` when the schema does not describe an object.
    """
    key = (canonical(schema), realistic)
    node = _DATA_NODES.get(key)
    if node is None:
        node = compile_schema(schema, realistic=realistic)
        if isinstance(node, Json):  # {} or true: any object will do
            node = Record(extra=node, extra_keys=Text(1, 12, "words" if realistic else "any"))
        if not makes_objects(node):
            raise BadArgument(
                "data_schema must describe a JSON object (type: object), as the data of a run is "
                f"an object or a list of objects; got {json.dumps(schema)[:80]}"
            )
        if len(_DATA_NODES) > 256:
            _DATA_NODES.clear()
        _DATA_NODES[key] = node
    return node
