"""Small, valid runs built by hand, so a test says exactly what the store holds."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

AGENT = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
OTHER_AGENT = "0b3c9a52-5f0e-4d8c-9a4e-2f7c1d6e8b90"
PROJECT = "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b"


def uid(n: int, *, space: int = 0) -> str:
    """A distinct, valid, lower-case version-4 UUID for each (n, space)."""
    return str(uuid.UUID(int=(space << 64) | n, version=4))


def make_run(
    n: int, *, agent: str = AGENT, second: int | None = None, **fields: Any
) -> dict[str, Any]:
    """Run number ``n``: created ``second`` seconds into 2025 (default n), job ``uid(n, 1)``."""
    created = n if second is None else second
    run: dict[str, Any] = {
        "id": uid(n),
        "config": {"extraction_mode": "FAST"},
        "data_schema": {"type": "object", "properties": {"total": {"type": "number"}}},
        "extraction_agent_id": agent,
        "from_ui": False,
        "project_id": PROJECT,
        "status": "SUCCESS",
        "created_at": _stamp(created),
        "updated_at": _stamp(created + 60),
        "data": {"total": float(n)},
        "job_id": uid(n, space=1),
    }
    run.update(fields)
    return run


def _stamp(seconds: int) -> str:
    moment = datetime(2025, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
