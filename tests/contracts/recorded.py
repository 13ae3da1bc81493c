"""Writing one exchange into a recording by hand, as the proxy would (judged first)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from contracts.traffic import Recorder, judge

JSON = (("content-type", "application/json"),)


def record_exchange(
    recorder: Recorder,
    path: str,
    status: int = 200,
    body: Any = None,
    *,
    method: str = "GET",
    query: Sequence[tuple[str, str]] = (),
    headers: Sequence[tuple[str, str]] = (),
    response_headers: Sequence[tuple[str, str]] = JSON,
) -> Path:
    """Write one exchange: ``body`` as JSON (bytes as they are; None: not read whole)."""
    raw = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    return recorder.record(
        method=method,
        path=path,
        query=list(query),
        headers=list(headers),
        status=status,
        response_headers=list(response_headers),
        body=raw,
        judgement=judge(method, path, list(query), status, list(response_headers), raw),
    )
