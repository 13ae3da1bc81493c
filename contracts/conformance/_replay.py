"""What a failure needs to be replayed: the exact requests (:class:`Step`) and what the check
expects beside the answer (:class:`Replay`), kept with each :class:`~._report.Failure`.

A replay is data, written into a regression test by :mod:`._export` and judged again there by
:mod:`contracts.conformance.replay`. Its requests carry no secret: a step keeps only the
headers that are no credential (none of the run's own headers, none of
:data:`contracts.SECRET_HEADERS`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

if TYPE_CHECKING:
    from ._exchange import Exchange
    from ._masking import Secrets
    from ._matrix import MatrixCase

__all__ = ["Replay", "Step", "matrix_replay", "step_of_exchange", "step_of_url", "walk_replay"]


@dataclass(frozen=True)
class Step:
    """One request as it was sent: ``method``; ``target``, the path under the base URL with
    its query as sent (percent-encoded: sent as it is), or the path alone when ``params`` are
    given (the query pairs in order, encoded by httpx as the run's own client encoded them);
    ``headers`` that are no credential; ``body``."""

    method: str
    target: str
    params: tuple[tuple[str, str], ...] | None = None
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    @property
    def path(self) -> str:
        return urlsplit(self.target).path


@dataclass(frozen=True)
class Replay:
    """A failure as a regression test: ``check`` judges the answer to the last of ``steps``
    (the others are sent first: the delete before a read); ``expected`` is what the check
    needs beside the answer (a matrix case's answer); ``walk`` the agent ids of a check that
    walks the API (it is run again, whole, and has no steps); ``found`` what was found."""

    check: str
    steps: tuple[Step, ...] = ()
    expected: Mapping[str, Any] = field(default_factory=dict)
    walk: tuple[str, ...] | None = None
    found: str = ""

    def key(self) -> tuple[Any, ...]:
        """What makes two replays the same test."""
        return (self.check, self.steps, json.dumps(self.expected, sort_keys=True), self.walk)

    @property
    def writes(self) -> bool:
        """Whether it sends a request that is not safe (DELETE)."""
        return any(step.method.upper() not in ("GET", "HEAD", "OPTIONS") for step in self.steps)


def step_of_exchange(exchange: Exchange) -> Step:
    """The request of an exchange of the API phase, as its client sent it."""
    op = exchange.operation
    path = op.path.format(**{k: quote(v, safe="") for k, v in exchange.path_params.items()})
    return Step(op.method, path, tuple((k, str(v)) for k, v in exchange.query.items()))


def step_of_url(
    method: str,
    url: str,
    base_url: str,
    *,
    headers: Sequence[tuple[str, str]] = (),
    body: bytes = b"",
    secrets: Secrets | None = None,
) -> Step:
    """The request sent to ``url`` (absolute, under ``base_url``), its credentials left out."""
    parts, base = urlsplit(url), urlsplit(base_url.rstrip("/"))
    path = parts.path
    if base.path and path.startswith(base.path + "/"):
        path = path[len(base.path) :]
    target = path + (f"?{parts.query}" if parts.query else "")
    from .._secrets import is_secret_header

    kept = tuple(
        (name, value)
        for name, value in headers
        if not (secrets.is_secret(name) if secrets is not None else is_secret_header(name))
    )
    return Step(method.upper(), target, None, kept, body)


def matrix_replay(check: str, case: MatrixCase, found: str) -> Replay:
    """One failing request of the negative matrix, with the answer FastAPI gives it."""
    expected: dict[str, Any] = {"status": case.status, "what": case.what}
    if case.loc is not None:
        expected["loc"] = list(case.loc)
    if case.location is not None:
        expected["location"] = case.location
    step = Step(case.method, case.path, tuple(case.query))
    return Replay(check, (step,), expected, None, found)


def walk_replay(check: str, agent_ids: Sequence[str], found: str) -> Replay:
    """A check that walks the API, run again with the same agents."""
    return Replay(check, (), {}, tuple(agent_ids), found)
