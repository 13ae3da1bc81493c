"""The generated files are committed, current, valid, and say what the reference says."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi

import contracts
from contracts._schemas import build_artifacts

CONTRACTS_DIR = Path(contracts.__file__).parent


@pytest.mark.parametrize("relative", sorted(build_artifacts()))
def test_committed_file_matches_a_fresh_build(relative: str) -> None:
    committed = CONTRACTS_DIR / relative
    assert committed.exists(), f"{relative} is not committed; run `extract-contract schema`"
    fresh = build_artifacts()[relative]
    assert committed.read_text(encoding="utf-8") == fresh, (
        f"contracts/{relative} differs from a fresh build: regenerate it with "
        '`python -c "from contracts import write_artifacts; from pathlib import Path; '
        "write_artifacts(Path('contracts'))\"` and commit the result"
    )


@pytest.mark.parametrize("name", contracts.SCHEMA_NAMES)
def test_json_schemas_are_valid_draft_2020_12(name: str) -> None:
    schema = contracts.json_schema(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_openapi_document_is_valid() -> None:
    document = contracts.openapi_document()
    assert document["openapi"].startswith("3.1")
    validate_openapi(document)


def test_schemathesis_loads_every_operation() -> None:
    import schemathesis

    schema = schemathesis.openapi.from_dict(contracts.openapi_document())
    loaded = {result.ok().definition.raw["operationId"] for result in schema.get_all_operations()}
    assert loaded == {op.name for op in contracts.OPERATIONS}


def _prop(schema: dict[str, Any], model: str, field: str) -> dict[str, Any]:
    defs = schema.get("$defs", {})
    body = schema if schema.get("title") == model else defs[model]
    prop: dict[str, Any] = body["properties"][field]
    return prop


def _types(prop: dict[str, Any]) -> list[Any]:
    return [branch.get("type", branch.get("$ref")) for branch in prop.get("anyOf", [prop])]


def test_run_schema_says_what_the_reference_says() -> None:
    schema = contracts.json_schema("ExtractRun")
    run = schema
    assert sorted(run["required"]) == sorted(
        ["id", "config", "data_schema", "extraction_agent_id", "from_ui", "project_id", "status"]
    )
    assert len(run["properties"]) == 15
    for field in ("id", "extraction_agent_id", "project_id"):
        assert run["properties"][field]["format"] == "uuid"
    for field in ("file_id", "job_id"):
        assert {"type": "string", "format": "uuid"} in run["properties"][field]["anyOf"]
    for field in ("created_at", "updated_at"):
        assert {"type": "string", "format": "date-time"} in run["properties"][field]["anyOf"]
    assert run["properties"]["file"]["deprecated"] is True
    assert schema["$defs"]["ExtractRunStatus"]["enum"] == ["CREATED", "PENDING", "SUCCESS", "ERROR"]


def test_config_schema_says_what_the_reference_says() -> None:
    schema = contracts.json_schema("ExtractConfig")
    props = schema["properties"]
    assert len(props) == 16
    assert "required" not in schema
    assert props["citation_bbox"]["deprecated"] is True
    assert props["multimodal_fast_mode"]["deprecated"] is True
    assert {"type": "integer", "minimum": 1} in props["num_pages_context"]["anyOf"]
    # the open string alternative of extract_model sits beside the enum
    assert _types(props["extract_model"]) == ["#/$defs/ExtractModels", "string", "null"]
    assert len(schema["$defs"]["ExtractModels"]["enum"]) == 11
    assert len(schema["$defs"]["ParseModels"]["enum"]) == 26
    assert schema["$defs"]["Priority"]["enum"] == ["low", "medium", "high", "critical"]


def test_file_schema_says_what_the_reference_says() -> None:
    schema = contracts.json_schema("File")
    props = schema["properties"]
    assert len(props) == 14
    assert sorted(schema["required"]) == ["id", "name", "project_id"]
    assert {"type": "integer", "minimum": 0} in props["file_size"]["anyOf"]
    assert {"type": "string", "minLength": 1, "maxLength": 3000} in props["file_type"]["anyOf"]


def test_page_schema_requires_all_four_fields() -> None:
    schema = contracts.json_schema("PaginatedExtractRunsResponse")
    assert sorted(schema["required"]) == ["items", "limit", "skip", "total"]


def test_openapi_links_reach_real_ids() -> None:
    paths = contracts.openapi_document()["paths"]
    links = paths[contracts.API_PREFIX]["get"]["responses"]["200"]["links"]
    assert links["GetRun"] == {
        "operationId": "get_run",
        "parameters": {"run_id": "$response.body#/items/0/id"},
    }
    assert links["GetRunByJob"]["parameters"] == {"job_id": "$response.body#/items/0/job_id"}
    assert links["DeleteRun"]["operationId"] == "delete_run"


def test_every_operation_has_its_error_responses() -> None:
    paths = contracts.openapi_document()["paths"]
    for op in contracts.OPERATIONS:
        responses = paths[op.path][op.method.lower()]["responses"]
        assert "200" in responses
        assert "422" in responses
        assert ("404" in responses) == (op.not_found is not None)


def test_json_schema_returns_a_copy() -> None:
    first = contracts.json_schema("File")
    first["properties"].clear()
    assert contracts.json_schema("File")["properties"]


def test_unknown_schema_name_is_a_clear_error() -> None:
    with pytest.raises(KeyError, match="the schemas are: ExtractRun"):
        contracts.json_schema("Run")


def test_schema_command_writes_a_fresh_set(tmp_path: Path) -> None:
    from mocks._cli import main

    assert main(["schema", "--out", str(tmp_path / "out")]) == 0
    written = sorted(
        str(p.relative_to(tmp_path / "out")) for p in (tmp_path / "out").rglob("*.json")
    )
    assert written == sorted(build_artifacts())
    page = json.loads((tmp_path / "out" / "openapi.json").read_text())
    assert page == contracts.openapi_document()


def test_schema_command_rejects_a_file_as_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mocks._cli import main

    target = tmp_path / "file.txt"
    target.write_text("x")
    assert main(["schema", "--out", str(target)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "exists and is not a directory" in err


def test_a_delete_links_to_getting_the_same_run() -> None:
    # stateful fuzzers follow it to check that a deleted run is gone (use after free)
    paths = contracts.openapi_document()["paths"]
    links = paths[contracts.API_PREFIX + "/{run_id}"]["delete"]["responses"]["200"]["links"]
    assert links == {
        "GetDeletedRun": {
            "operationId": "get_run",
            "parameters": {"run_id": "$request.path.run_id"},
        }
    }
