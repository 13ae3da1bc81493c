"""The one gate every request of a conformance run passes, whichever phase sends it.

:class:`Guard` is in the request path of the preflight, the API phase, the negative matrix and
(through the local front door of :mod:`._front`) every request schemathesis sends. For each
request it:

- refuses what the run may not send: another host than the base URL's, or an unsafe method the
  :class:`~._policy.WritePolicy` does not allow (DELETE on a read-only run);
- spends one request of the budget (``max_requests``), and stops the run when it is spent;
- keeps the pace (``rate`` requests per second at most);
- sends it through the bounded :class:`~._wire.Wire` (whole-request deadline, body cap);
- on a 429, waits its ``Retry-After`` (at most ``max_wait``) and retries once; a second 429
  stops the run: the server cannot be tested at this pace;
- judges the answer: a redirect to another host (reported, never followed), bad JSON under a
  JSON content type, and every unusable answer (none in time, too large, bad encoding) are
  :class:`Finding`\\ s; three unusable answers stop the run.

It counts what it sent (requests, DELETEs) and answers it judged, and tallies every answer's
operation, status and pagination edge in :attr:`Guard.coverage` (the run's API coverage).
Stopping calls the listeners (the schemathesis engine's stop) and makes every later request a
:class:`Refused`.
"""

from __future__ import annotations

import email.utils
import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urljoin, urlsplit

from .._coverage import ApiCoverage
from .._operations import resolve_operation
from ._limits import Limits, size
from ._masking import Secrets, curl_line
from ._policy import WritePolicy
from ._wire import Answer, Wire, WireError

__all__ = ["Finding", "Guard", "Refused", "origin_of"]

RefusalKind = Literal["write", "other host", "budget", "stopped", "unsendable"]

UNUSABLE_LIMIT = 3
"""Unusable answers (none in time, too large, undecodable) after which the run stops."""

_JSON_TYPES = ("application/json",)


class Refused(Exception):
    """A request the guard did not send; ``kind`` says why."""

    def __init__(self, kind: RefusalKind, message: str) -> None:
        super().__init__(message)
        self.kind: RefusalKind = kind


@dataclass(frozen=True)
class Finding:
    """An answer that broke the bounds every answer must keep, with the request that got it."""

    operation: str
    title: str
    message: str
    curl: str
    method: str = ""
    url: str = ""


def origin_of(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of ``url``, the port made explicit."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


def _label(method: str, path: str) -> str:
    """``METHOD /path/{template}`` of the contract's operation the path is, else the path."""
    op, _ = resolve_operation(method, path.rstrip("/") or "/")
    return f"{method} {op.path if op is not None else path}"


def _retry_after(answer: Answer, cap: float) -> float:
    value = (answer.header("retry-after") or "").strip()
    if not value:
        return min(1.0, cap)
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return min(1.0, cap)
        seconds = when.timestamp() - time.time()
    return max(0.0, min(seconds, cap)) if seconds == seconds else min(1.0, cap)


class Guard:
    """The gate (see the module docstring). Thread-safe: schemathesis's workers share it."""

    def __init__(
        self,
        base_url: str,
        policy: WritePolicy,
        limits: Limits,
        secrets: Secrets,
        *,
        wire: Wire | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.origin = origin_of(base_url)
        self.coverage = ApiCoverage()
        self._base_path = urlsplit(self.base_url).path
        self.policy = policy
        self.limits = limits
        self.secrets = secrets
        self.wire = wire or Wire(timeout=limits.timeout, max_body=limits.max_body)
        self.sent = 0
        self.deletes = 0
        self.answers = 0
        self.refused_writes = 0
        self.findings: list[Finding] = []
        self.stopped: str | None = None
        self.untestable = False
        self.budget_spent = False
        self._unusable = 0
        self._next_slot = 0.0
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []

    # --- control ----------------------------------------------------------------------------
    def on_stop(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` (once) when the run stops; at once if it has stopped already."""
        with self._lock:
            self._listeners.append(listener)
            stopped = self.stopped is not None
        if stopped:
            listener()

    def stop(self, reason: str, *, untestable: bool = False) -> None:
        with self._lock:
            if self.stopped is not None:
                return
            self.stopped = reason
            self.untestable = untestable
            listeners = list(self._listeners)
        for listener in listeners:
            listener()

    def close(self) -> None:
        self.wire.close()

    # --- one request ------------------------------------------------------------------------
    def send(
        self, method: str, url: str, headers: Sequence[tuple[str, str]], body: bytes = b""
    ) -> Answer:
        """Send one request through every rule; returns its answer.

        Raises :class:`Refused` for a request it will not send, :class:`WireError` when the
        answer is unusable (also kept as a finding).
        """
        method = method.upper()
        path = urlsplit(url).path
        if origin_of(url) != self.origin:
            raise Refused("other host", f"{method} {url}: not the server under test")
        if not self.policy.allows(method, path):
            with self._lock:
                self.refused_writes += 1
            raise Refused("write", f"{method} {path}: {self.policy.banner()}")
        curl = curl_line(method, url, headers, self.secrets)
        answer = self._attempt(method, url, headers, body, curl)
        if answer.status == 429:
            wait = _retry_after(answer, self.limits.max_wait)
            time.sleep(wait)
            answer = self._attempt(method, url, headers, body, curl)
            if answer.status == 429:
                self.stop(
                    f"the server keeps answering 429 Too Many Requests ({method} {path} again "
                    f"after waiting {wait:g} s); lower the rate or try later",
                    untestable=True,
                )
                raise Refused("stopped", self.stopped or "stopped")
        self._judge(method, url, answer, curl)
        return answer

    def _attempt(
        self, method: str, url: str, headers: Sequence[tuple[str, str]], body: bytes, curl: str
    ) -> Answer:
        budget = self.limits.max_requests
        with self._lock:
            if self.stopped is not None:
                raise Refused("stopped", self.stopped)
            spent = budget is not None and self.sent >= budget
            if not spent:
                self.sent += 1
                self.deletes += method == "DELETE"
                wait = self._reserve_slot()
        if spent:
            self.budget_spent = True
            self.stop(f"the budget of {budget} requests is spent")
            raise Refused("budget", f"the budget of {budget} requests is spent")
        if wait > 0:
            time.sleep(wait)
        try:
            answer = self.wire.exchange(method, url, headers, body)
        except WireError as exc:
            if exc.kind == "unsendable":  # it never left: not the server's doing
                with self._lock:
                    self.sent -= 1
                    self.deletes -= method == "DELETE"
                raise Refused("unsendable", str(exc)) from None
            self._unusable_answer(method, url, exc, curl)
            self._count(method, url, None)
            raise
        with self._lock:
            self.answers += 1
        self._count(method, url, answer.status, answer.body)
        return answer

    def _count(self, method: str, url: str, status: int | None, body: bytes = b"") -> None:
        """Tally the answer in the run's API coverage (the path taken under the base URL's)."""
        parts = urlsplit(url)
        path = parts.path
        if self._base_path and path.startswith(self._base_path + "/"):
            path = path[len(self._base_path) :]
        relative = path + (f"?{parts.query}" if parts.query else "")
        self.coverage.record_http(method, relative, status, body)

    def _reserve_slot(self) -> float:
        """Seconds to wait before this request may go (called under the lock)."""
        if self.limits.rate is None:
            return 0.0
        now = time.monotonic()
        start = max(now, self._next_slot)
        self._next_slot = start + 1.0 / self.limits.rate
        return start - now

    # --- judging answers --------------------------------------------------------------------
    def _find(self, method: str, url: str, title: str, message: str, curl: str) -> None:
        path = urlsplit(url).path
        finding = Finding(
            _label(method, path), title, self.secrets.scrub(message), curl, method, url
        )
        with self._lock:
            self.findings.append(finding)

    def _unusable_answer(self, method: str, url: str, exc: WireError, curl: str) -> None:
        titles = {
            "no answer": "The server answers every request, in time",
            "too large": f"An answer is at most {size(self.limits.max_body)} (decoded)",
            "bad encoding": "An answer decodes as its Content-Encoding says",
            "unsendable": "",
        }
        self._find(method, url, titles[exc.kind], str(exc), curl)
        with self._lock:
            self.answers += 1
            self._unusable += 1
            trip = self._unusable >= UNUSABLE_LIMIT
        if trip:
            self.stop(
                f"{UNUSABLE_LIMIT} answers were unusable (the last: {exc})",
                untestable=exc.kind == "no answer",
            )

    def _judge(self, method: str, url: str, answer: Answer, curl: str) -> None:
        location = answer.header("location")
        if 300 <= answer.status < 400 and location:
            target = urljoin(url, location)
            if origin_of(target) != self.origin:
                self._find(
                    method,
                    url,
                    "A redirect stays on the server under test",
                    f"answered {answer.status} redirecting to {target}: another host, not followed",
                    curl,
                )
        content_type = (answer.header("content-type") or "").split(";")[0].strip().lower()
        is_json = content_type in _JSON_TYPES or content_type.endswith("+json")
        if is_json and method != "HEAD" and answer.body:
            try:
                json.loads(answer.body)
            except (ValueError, RecursionError) as exc:
                reason = "nested too deep" if isinstance(exc, RecursionError) else str(exc)
                self._find(
                    method,
                    url,
                    "A JSON answer is valid JSON",
                    f"answered {answer.status} with Content-Type {content_type} but the body is "
                    f"not JSON ({reason[:120]})",
                    curl,
                )
