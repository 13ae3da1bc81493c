"""Checks shared by the strategies tests: a payload is valid for every judge there is."""

from __future__ import annotations

from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from llama_cloud.types import File as ClientFile
from llama_cloud.types.extraction import ExtractConfig as ClientExtractConfig
from llama_cloud.types.extraction import ExtractRun as ClientExtractRun
from pydantic import BaseModel

import contracts

OURS: dict[str, type[BaseModel]] = {
    "run": contracts.ExtractRun,
    "config": contracts.ExtractConfig,
    "file": contracts.File,
    "page": contracts.PaginatedExtractRunsResponse,
}
CLIENTS: dict[str, type[BaseModel]] = {
    "run": ClientExtractRun,
    "config": ClientExtractConfig,
    "file": ClientFile,
}
PER_ITEM = {"PER_PAGE", "PER_TABLE_ROW"}


@cache
def _built() -> None:
    for model in CLIENTS.values():
        model.model_rebuild()


@cache
def schema_validator(kind: str) -> Draft202012Validator:
    """python-jsonschema on the committed schema, with the contract's two formats."""
    checker = FormatChecker(formats=())
    checker.checks("uuid")(lambda v: not isinstance(v, str) or contracts.is_uuid(v))
    checker.checks("date-time")(lambda v: not isinstance(v, str) or contracts.is_datetime(v))
    return Draft202012Validator(
        contracts.json_schema(contracts.KINDS[kind]), format_checker=checker
    )


def assert_valid_everywhere(payload: Any, kind: str) -> None:
    """Valid under our JSON Schema (python-jsonschema, and ``contracts.validate``), our pydantic
    model and the official client's model."""
    _built()
    errors = [e.message for e in schema_validator(kind).iter_errors(payload)]
    assert errors == [], errors
    assert contracts.validate(payload, kind) == [], contracts.validate(payload, kind)
    OURS[kind].model_validate(payload)
    if kind == "page":
        for item in payload["items"]:
            ClientExtractRun.model_validate(item)
    else:
        CLIENTS[kind].model_validate(payload)


DATA_FORMATS = ("uuid", "date-time", "date", "time", "email", "uri", "ipv4", "duration")


@cache
def _data_formats() -> FormatChecker:
    checker = Draft202012Validator.FORMAT_CHECKER  # draft 2020-12's meaning of each format
    missing = set(DATA_FORMATS) - set(checker.checkers)
    assert not missing, f"python-jsonschema cannot check {missing} here: install its format extras"
    return checker


def data_validator(schema: dict[str, Any]) -> Draft202012Validator:
    """python-jsonschema on a user's extraction schema, checking every format we generate."""
    return Draft202012Validator(schema, format_checker=_data_formats())


def data_errors(schema: dict[str, Any], value: Any) -> list[str]:
    """Why ``value`` is invalid under ``schema`` for python-jsonschema (Python's regular
    expressions, formats checked) or for jsonschema-rs (ECMA-262 regular expressions)."""
    import jsonschema_rs

    errors = [f"python-jsonschema: {e.message}" for e in data_validator(schema).iter_errors(value)]
    rs = jsonschema_rs.validator_for(schema, validate_formats=False)
    errors += [f"jsonschema-rs: {e.message}" for e in rs.iter_errors(value)]
    return errors


def assert_coherent_run(run: dict[str, Any]) -> None:
    """The realism rules of DESIGN.md for one run."""
    status = run["status"]
    assert (run["error"] is not None) == (status == "ERROR"), run
    if status == "SUCCESS":
        data = run["data"]
        target = (run["config"] or {}).get("extraction_target")
        objects = data if target in PER_ITEM else [data]
        assert isinstance(data, list) == (target in PER_ITEM)
        assert objects, "a successful per-page run extracts at least one object"
        validator = data_validator(run["data_schema"])
        for obj in objects:
            assert isinstance(obj, dict)
            errors = [e.message for e in validator.iter_errors(obj)]
            assert errors == [], errors
    else:
        assert run["data"] is None
    if run["created_at"] is not None and run["updated_at"] is not None:
        assert _stamp(run["created_at"]) <= _stamp(run["updated_at"])
    page_range = run["config"].get("page_range")
    if page_range is not None:
        assert_page_range(page_range)


def assert_page_range(text: str) -> None:
    last = 0
    for part in text.split(","):
        first, _, end = part.partition("-")
        lo, hi = int(first), int(end or first)
        assert last < lo <= hi, text
        last = hi


def _stamp(text: str) -> Any:
    import datetime as dt

    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
