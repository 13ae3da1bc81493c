"""Our models agree with the official client's (llama-cloud 1.6.0) field by field."""

from __future__ import annotations

import datetime as dt
import enum
import types
import typing
from typing import Any

import pytest
from llama_cloud.types import File as ClientFile
from llama_cloud.types.extraction import ExtractConfig as ClientExtractConfig
from llama_cloud.types.extraction import ExtractRun as ClientExtractRun
from pydantic import BaseModel

import contracts
from contracts._types import DateTimeStr, UuidStr

PAIRS = [
    (contracts.ExtractRun, ClientExtractRun),
    (contracts.ExtractConfig, ClientExtractConfig),
    (contracts.File, ClientFile),
]
EXPECTED_FIELD_COUNTS = {"ExtractRun": 15, "ExtractConfig": 16, "File": 14}


@pytest.fixture(scope="module", autouse=True)
def _built() -> None:
    for _, client in PAIRS:
        client.model_rebuild()


def _shape(annotation: Any) -> frozenset[Any]:
    """A comparable description of a field type: which JSON values it takes, and their enums."""
    if annotation is UuidStr:
        return frozenset({"str"})
    if annotation is DateTimeStr:
        return frozenset({"datetime"})
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _shape(args[0])
    if origin in (typing.Union, types.UnionType):
        atoms: set[Any] = set()
        for arg in args:
            atoms |= _shape(arg)
        if {"int", "number"} <= atoms:
            atoms.discard("int")
        # an open string alternative swallows the enum beside it only for validation, not for
        # the contract: keep both so the enum values are compared too
        return frozenset(atoms)
    if origin is typing.Literal:
        return frozenset({("enum", frozenset(args))})
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return frozenset({("enum", frozenset(m.value for m in annotation))})
    if origin in (dict, typing.Dict):  # noqa: UP006
        return frozenset({("dict", _shape(args[1]) if args else "any")})
    if origin in (list, typing.List):  # noqa: UP006
        return frozenset({("list", _shape(args[0]) if args else "any")})
    if annotation in (Any, object):
        return frozenset({"any"})
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return frozenset({("model", annotation.__name__)})
    simple = {
        type(None): "null",
        str: "str",
        bool: "bool",
        int: "int",
        float: "number",
        dt.datetime: "datetime",
    }
    if annotation in simple:
        return frozenset({simple[annotation]})
    raise AssertionError(f"no shape for {annotation!r}")


@pytest.mark.parametrize(("ours", "theirs"), PAIRS, ids=lambda m: m.__name__)
def test_same_fields(ours: type[BaseModel], theirs: type[BaseModel]) -> None:
    assert set(ours.model_fields) == set(theirs.model_fields)
    assert len(ours.model_fields) == EXPECTED_FIELD_COUNTS[ours.__name__]


@pytest.mark.parametrize(("ours", "theirs"), PAIRS, ids=lambda m: m.__name__)
def test_same_required_flags(ours: type[BaseModel], theirs: type[BaseModel]) -> None:
    for name, field in ours.model_fields.items():
        assert field.is_required() == theirs.model_fields[name].is_required(), name


@pytest.mark.parametrize(("ours", "theirs"), PAIRS, ids=lambda m: m.__name__)
def test_same_types_and_enum_values(ours: type[BaseModel], theirs: type[BaseModel]) -> None:
    for name, field in ours.model_fields.items():
        mine = _shape(field.annotation)
        other = _shape(theirs.model_fields[name].annotation)
        assert mine == other, f"{ours.__name__}.{name}: ours {mine} != client {other}"


def test_shape_tells_types_apart() -> None:
    # The comparison above can fail: a different type or enum gives a different shape.
    assert _shape(int) != _shape(str)
    assert _shape(typing.Literal["A", "B"]) != _shape(typing.Literal["A"])
    assert _shape(typing.Optional[int]) != _shape(int)  # noqa: UP045


def test_deprecated_fields_are_marked() -> None:
    deprecated = {
        (model.__name__, name)
        for model in (contracts.ExtractRun, contracts.ExtractConfig, contracts.File)
        for name, field in model.model_fields.items()
        if field.deprecated
    }
    assert deprecated == {
        ("ExtractConfig", "citation_bbox"),
        ("ExtractConfig", "multimodal_fast_mode"),
        ("ExtractRun", "file"),
    }
