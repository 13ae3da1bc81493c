"""``allOf``: schemas merged into one schema that accepts what all of them accept."""

from __future__ import annotations

from typing import Any

import pytest

from strategies import UnsupportedSchema
from strategies._merge import json_equal, merge_all

DEFS: dict[str, Any] = {"Id": {"type": "string", "format": "uuid", "title": "Id"}}


def _resolve(ref: str, where: str) -> Any:
    return DEFS[ref.rsplit("/", 1)[1]]


def merged(*schemas: Any) -> Any:
    return merge_all(list(schemas), _resolve, "$")


def test_keywords_merge_by_what_they_mean() -> None:
    out = merged(
        {"type": ["number", "null"], "minimum": 0, "maximum": 10, "multipleOf": 4},
        {"type": "integer", "minimum": 2, "exclusiveMaximum": 8, "multipleOf": 6},
    )
    assert out == {
        "type": "integer",
        "minimum": 2,
        "maximum": 10,
        "exclusiveMaximum": 8,
        "multipleOf": 12,
    }
    assert merged({"enum": ["a", "b", 1]}, {"enum": [1.0, "b", "c"]})["enum"] == ["b", 1]
    assert merged({"multipleOf": 0.5}, {"multipleOf": 0.25})["multipleOf"] == 0.5
    assert merged({"uniqueItems": False}, {"uniqueItems": True})["uniqueItems"] is True


def test_objects_merge_property_by_property() -> None:
    out = merged(
        {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]},
        {"properties": {"a": {"minimum": 1}, "b": {"$ref": "#/$defs/Id"}}, "required": ["b"]},
    )
    assert out["properties"] == {
        "a": {"type": "integer", "minimum": 1},
        "b": {"$ref": "#/$defs/Id"},
    }
    assert out["required"] == ["a", "b"]


def test_additional_properties_govern_the_other_sides_properties() -> None:
    closed = {"properties": {"a": {}}, "additionalProperties": False}
    out = merged(closed, {"properties": {"b": {"type": "string"}}})
    assert "b" not in out["properties"]
    typed = {"properties": {"a": {}}, "additionalProperties": {"type": "integer"}}
    out = merged(typed, {"properties": {"b": {"minimum": 3}}})
    assert out["properties"]["b"] == {"minimum": 3, "type": "integer"}
    with pytest.raises(UnsupportedSchema, match="'b' is required"):
        merged(closed, {"properties": {"b": {}}, "required": ["b"]})
    patterned = {"patternProperties": {"^x_": {}}, "additionalProperties": False}
    out = merged(patterned, {"properties": {"x_a": {}, "b": {}}})
    assert set(out["properties"]) == {"x_a"}


def test_refs_and_nested_all_of_are_flattened() -> None:
    out = merged({"$ref": "#/$defs/Id", "description": "the id"}, {"allOf": [{"minLength": 36}]})
    assert out["format"] == "uuid"
    assert out["minLength"] == 36


def test_any_of_on_both_sides_is_every_pair() -> None:
    out = merged({"anyOf": [{"type": "string"}, {"type": "integer"}]}, {"anyOf": [{"minimum": 1}]})
    assert out["anyOf"] == [{"type": "string", "minimum": 1}, {"type": "integer", "minimum": 1}]


def test_prefix_items_take_the_other_sides_items() -> None:
    out = merged({"prefixItems": [{"type": "integer"}]}, {"items": {"minimum": 0}})
    assert out["prefixItems"] == [{"type": "integer", "minimum": 0}]


@pytest.mark.parametrize(
    ("schemas", "detail"),
    [
        (({"type": "string"}, {"type": "integer"}), "type 'string' and type 'integer'"),
        (({"const": 1}, {"const": 2}), "const 1 and const 2"),
        (({"format": "date"}, {"format": "uuid"}), "format 'date' and format 'uuid'"),
        (({"enum": [1]}, {"enum": [2]}), "share no value"),
        (({"minLength": 5}, {"maxLength": 2}), "minLength 5 above maxLength 2"),
        (({"multipleOf": 0.3}, {"multipleOf": 0.5}), "multipleOf 0.3 and multipleOf 0.5"),
    ],
)
def test_conflicts_are_named(schemas: tuple[Any, ...], detail: str) -> None:
    with pytest.raises(UnsupportedSchema) as raised:
        merged(*schemas)
    assert raised.value.keyword == "allOf"
    assert detail in raised.value.detail


def test_false_absorbs_and_true_is_neutral() -> None:
    assert merged({"type": "string"}, False) is False
    assert merged(True, {"type": "string"}) == {"type": "string"}


def test_json_equal() -> None:
    assert json_equal(1, 1.0)
    assert not json_equal(True, 1)
    assert json_equal({"a": [1, 2.0]}, {"a": [1.0, 2]})
    assert not json_equal("1", 1)
