"""Hand-made payloads shared by the contract tests."""

from __future__ import annotations

import copy
from typing import Any

AGENT = "6f1c1a3e-2b1d-4f7e-9a55-0c2f3b4d5e6f"
PROJECT = "0b7a9c1d-3e2f-4a5b-8c6d-7e8f9a0b1c2d"


def valid_run() -> dict[str, Any]:
    return copy.deepcopy(
        {
            "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
            "config": {
                "extraction_mode": "BALANCED",
                "extraction_target": "PER_DOC",
                "extract_model": "openai-gpt-4-1",
                "parse_model": "gemini-2.5-flash",
                "num_pages_context": 2,
                "page_range": "1,3,5-7",
                "priority": "medium",
                "chunk_mode": "PAGE",
                "citation_bbox": False,
            },
            "data_schema": {
                "type": "object",
                "properties": {"total": {"type": "number"}},
                "required": ["total"],
            },
            "extraction_agent_id": AGENT,
            "from_ui": False,
            "project_id": PROJECT,
            "status": "SUCCESS",
            "created_at": "2025-03-01T10:00:00Z",
            "updated_at": "2025-03-01T10:00:07.250000+00:00",
            "data": {"total": 12.5},
            "extraction_metadata": {"usage": {"num_pages_extracted": 3}},
            "file": {
                "id": "9d7c3a1b-5e4f-4a3b-9c2d-1e0f2a3b4c5d",
                "name": "invoice.pdf",
                "project_id": PROJECT,
                "file_size": 18211,
                "file_type": "pdf",
            },
            "file_id": "9d7c3a1b-5e4f-4a3b-9c2d-1e0f2a3b4c5d",
            "job_id": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
        }
    )


def valid_page() -> dict[str, Any]:
    return {"items": [valid_run()], "total": 1, "skip": 0, "limit": 50}


# (description, path into the run, value) -> each makes a run the official client rejects.
CLIENT_REJECTS: list[tuple[str, tuple[str, ...], Any]] = [
    ("status outside the enum", ("status",), "DONE"),
    ("status of the wrong type", ("status",), 3),
    ("from_ui missing", ("from_ui",), ...),
    ("from_ui a list", ("from_ui",), [True]),
    ("id missing", ("id",), ...),
    ("config not an object", ("config",), "BALANCED"),
    ("config.extraction_mode outside the enum", ("config", "extraction_mode"), "TURBO"),
    ("config.parse_model outside the enum", ("config", "parse_model"), "gpt-2"),
    ("config.priority outside the enum", ("config", "priority"), "urgent"),
    ("config.chunk_mode outside the enum", ("config", "chunk_mode"), "WORD"),
    ("config.num_pages_context a word", ("config", "num_pages_context"), "two"),
    ("data a string", ("data",), "oops"),
    ("data a list of strings", ("data",), ["a"]),
    ("data_schema a list", ("data_schema",), [1, 2]),
    ("created_at not a date", ("created_at",), "yesterday"),
    ("updated_at a number", ("updated_at",), [2025]),
    ("file without a name", ("file", "name"), ...),
    ("file.file_size a word", ("file", "file_size"), "big"),
    ("error a list", ("error",), ["boom"]),
    ("job_id a number", ("job_id",), [1]),
]


def mutate(run: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    target = run
    for key in path[:-1]:
        target = target[key]
    if value is ...:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return run
