"""The public Hypothesis strategies for the four payload kinds (run, config, file, list page).

Each is the Hypothesis interpretation (:mod:`._hyp_tuned`) of the same plan that :func:`sample`
compiles for seeded generation (:mod:`._plans`), so both follow the committed JSON Schemas.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ._errors import BadArgument, UnsupportedSchema
from ._hyp_tuned import strategy
from ._invalid import Breakage, break_payload, sites_by_kind
from ._jsonschema import user_data
from ._nodes import Const, Custom, Node
from ._plans import UserData, plan

__all__ = ["extract_configs", "extract_run_pages", "extract_runs", "files", "invalid_payloads"]

JsonDict = dict[str, Any]


def _drawn_by_hypothesis(rng: Any) -> Any:
    raise BadArgument("a field fixed to a strategy can only be drawn by Hypothesis")


def _as_node(name: str, value: Any) -> Node:
    if isinstance(value, st.SearchStrategy):
        return Custom(_drawn_by_hypothesis, lambda: value)
    return Const(value)


def _build(
    function: str, kind: str, realistic: Any, fields: dict[str, Any]
) -> st.SearchStrategy[JsonDict]:
    if not isinstance(realistic, bool):
        raise InvalidArgument(f"{function}(realistic={realistic!r}): must be True or False")
    try:
        data: UserData | None = None
        if "data_schema" in fields and kind in ("run", "page"):
            schema = fields["data_schema"]
            if not isinstance(schema, dict):
                raise InvalidArgument(
                    f"{function}(data_schema=...): must be a JSON Schema (a dict), "
                    f"got {type(schema).__name__}"
                )
            data = user_data(schema, realistic=realistic)
            if kind == "page":
                fields = {k: v for k, v in fields.items() if k != "data_schema"}
        fixed = {name: _as_node(name, value) for name, value in fields.items()}
        built: st.SearchStrategy[JsonDict] = strategy(
            plan(kind, realistic=realistic, fixed=fixed, data=data)
        )
    except (BadArgument, UnsupportedSchema) as exc:
        raise InvalidArgument(f"{function}(): {exc}") from None
    return built


def _deferred(
    function: str, kind: str, realistic: Any, fields: dict[str, Any]
) -> st.SearchStrategy[JsonDict]:
    # Arguments are checked when the first value is drawn, as Hypothesis's own strategies do.
    return st.deferred(lambda: _build(function, kind, realistic, fields))


def extract_runs(*, realistic: bool = False, **fields: Any) -> st.SearchStrategy[JsonDict]:
    """ExtractRun payloads (JSON-ready dicts), as ``GET /api/v1/extraction/runs/{id}`` returns.

    Schema-wide by default: everything the contract allows (every enum value, any string as
    ``extract_model``, nulls, absent optional fields, the deprecated ``file``, unknown extra
    fields, empty and longer collections, all of Unicode). ``realistic=True`` gives coherent
    runs instead: ``ERROR`` runs carry ``error``, ``SUCCESS`` runs carry ``data`` valid under
    their ``data_schema`` (an object for ``PER_DOC``, a list of objects per page or table row),
    ``created_at <= updated_at``, page ranges like ``1,3,5-7``.

    Keyword ``fields`` fix fields, to a value or to a strategy; ``data_schema=`` (your own
    extraction schema) also makes the generated ``data`` follow it::

        extract_runs(status="SUCCESS", extraction_agent_id=agent_id)
        extract_runs(realistic=True, data_schema={"type": "object", "properties": {...}})

    Shrinks towards a run with only the required fields, the first enum values, empty text
    and collections, and the earliest times.
    """
    return _deferred("extract_runs", "run", realistic, fields)


def extract_configs(*, realistic: bool = False, **fields: Any) -> st.SearchStrategy[JsonDict]:
    """ExtractConfig payloads: the ``config`` of a run.

    Schema-wide by default (every field optional, nullable, deprecated ones included, any
    string as ``extract_model``); ``realistic=True`` gives every field, known model names and
    well-formed page ranges. ``fields`` fix fields::

        extract_configs(extraction_target="PER_PAGE")

    Shrinks towards ``{}``.
    """
    return _deferred("extract_configs", "config", realistic, fields)


def files(*, realistic: bool = False, **fields: Any) -> st.SearchStrategy[JsonDict]:
    """File payloads (the deprecated ``ExtractRun.file``).

    Schema-wide by default; ``realistic=True`` gives file names that match ``file_type``
    (``invoice-0042.pdf``, ``pdf``) and ordered timestamps. ``fields`` fix fields::

        files(file_type="pdf")

    Shrinks towards ``{"id": ..., "name": "", "project_id": ...}``.
    """
    return _deferred("files", "file", realistic, fields)


def extract_run_pages(*, realistic: bool = False, **fields: Any) -> st.SearchStrategy[JsonDict]:
    """List pages, ``{"items": [run, ...], "total", "skip", "limit"}``.

    Schema-wide by default (the numbers need not agree); ``realistic=True`` gives a page of one
    agent's runs whose count agrees with ``total``, ``skip`` and ``limit``. ``fields`` fix
    ``items``, ``total``, ``skip`` or ``limit``; ``data_schema=`` is passed on to the runs::

        extract_run_pages(realistic=True, limit=5)

    Shrinks towards an empty page.
    """
    return _deferred("extract_run_pages", "page", realistic, fields)


_KIND_STRATEGIES = {
    "run": extract_runs,
    "config": extract_configs,
    "file": files,
    "page": extract_run_pages,
}


def invalid_payloads(
    kind: str = "run", *, realistic: bool = False
) -> st.SearchStrategy[tuple[JsonDict, Breakage]]:
    """``(payload, breakage)`` pairs: a ``kind`` payload that breaks the contract in exactly
    one place, and a :class:`Breakage` naming that place's JSON path and the kind of break.

    ``kind`` is ``run``, ``config``, ``file`` or ``page``. A valid payload is drawn (schema-wide,
    or ``realistic``), then one kind of break (:data:`BREAKS`: wrong type, missing required
    field, value outside the enum, bad uuid, bad date-time, under the minimum, too short, too
    long), then one place where that break applies::

        @given(invalid_payloads("run"))
        def test_client_rejects(pair):
            payload, breakage = pair   # breakage.path == "$.config.priority", say
            with pytest.raises(ValidationError):
                parse_run(payload)

    Shrinks towards a small payload and the first kind of break at its first place.
    """

    def build() -> st.SearchStrategy[tuple[JsonDict, Breakage]]:
        if kind not in _KIND_STRATEGIES:
            raise InvalidArgument(
                f"invalid_payloads(kind={kind!r}): the kinds are {', '.join(_KIND_STRATEGIES)}"
            )
        valid = _KIND_STRATEGIES[kind](realistic=realistic)

        @st.composite
        def broken(draw: st.DrawFn) -> tuple[JsonDict, Breakage]:
            payload = draw(valid)
            by_kind = sites_by_kind(kind, payload)
            chosen = draw(st.sampled_from(sorted(by_kind)))
            pair: tuple[JsonDict, Breakage] = break_payload(
                payload, draw(st.sampled_from(by_kind[chosen]))
            )
            return pair

        return broken()

    return st.deferred(build)
