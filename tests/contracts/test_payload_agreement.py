"""A payload valid for us is accepted by the official client; one it rejects, we reject too."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest
from llama_cloud.types.extraction import ExtractRun as ClientExtractRun

import contracts

from .payloads import CLIENT_REJECTS, mutate, valid_run


@pytest.fixture(scope="module", autouse=True)
def _built() -> None:
    ClientExtractRun.model_rebuild()


def _client_accepts(payload: dict[str, Any]) -> bool:
    try:
        ClientExtractRun.model_validate(payload)
    except pydantic.ValidationError:
        return False
    return True


def test_valid_run_is_valid_everywhere() -> None:
    run = valid_run()
    assert contracts.validate(run) == []
    contracts.ExtractRun.model_validate(run)
    assert _client_accepts(run)


@pytest.mark.parametrize(
    ("path", "value"), [(p, v) for _, p, v in CLIENT_REJECTS], ids=[d for d, _, _ in CLIENT_REJECTS]
)
def test_what_the_client_rejects_we_reject(path: tuple[str, ...], value: Any) -> None:
    run = mutate(valid_run(), path, value)
    assert not _client_accepts(run), "the case must be one the client rejects"
    violations = contracts.validate(run, "run")
    assert violations, "our JSON Schema accepted it"
    assert any(v.path.startswith("$." + ".".join(path)) for v in violations), violations
    with pytest.raises(pydantic.ValidationError):
        contracts.ExtractRun.model_validate(run)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("id",), "not-a-uuid"),
        (("extraction_agent_id",), "3fa85f6457174562b3fc2c963f66afa6"),
        (("config", "num_pages_context"), 0),
        (("file", "file_size"), -1),
        (("file", "file_type"), ""),
        (("file", "file_type"), "x" * 3001),
        (("from_ui",), "true"),
        (("config", "num_pages_context"), 1.5),
        (("created_at",), "2025-02-30T00:00:00Z"),
    ],
)
def test_we_hold_formats_and_bounds_the_client_does_not(path: tuple[str, ...], value: Any) -> None:
    # Stricter than the client is allowed (what we accept, it accepts), never the other way.
    run = mutate(valid_run(), path, value)
    assert contracts.validate(run, "run"), "the JSON Schema must reject it"
    with pytest.raises(pydantic.ValidationError):
        contracts.ExtractRun.model_validate(run)


def test_open_extract_model_string_is_accepted() -> None:
    run = mutate(valid_run(), ("config", "extract_model"), "my-fine-tuned-model")
    assert contracts.validate(run) == []
    contracts.ExtractRun.model_validate(run)
    assert _client_accepts(run)


def test_unknown_fields_are_kept() -> None:
    run = valid_run()
    run["new_field_from_the_future"] = {"x": 1}
    assert contracts.validate(run) == []
    assert _client_accepts(run)
