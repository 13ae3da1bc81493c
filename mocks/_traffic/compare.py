"""Where two answers to the same request differ: the recorded one (the real service's) and the
replayed one (the mock's). Used by ``drift``.

:func:`differences` compares, in order:

- the status (when it differs, nothing else is compared: the rest would only repeat it);
- the content type (its media type) and the headers a client reads (:data:`CLIENT_HEADERS`);
- the body: the same JSON for an answer that succeeded (a page's ``total``, ``skip``,
  ``limit``, which runs and in which order, each run's fields; a run's fields); for an error,
  its shape (what ``detail`` is) and its ``detail`` (each entry of a 422).

Each :class:`Difference` names the aspect (``status``, ``content-type``, ``header retry-after``,
``body``, ``body.total``, ``body.items``, ``body.detail`` ...), both sides in short, and a note
when the difference is one the mock cannot help (a text only the real service knows).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from contracts.conformance import NOT_JSON

__all__ = ["CLIENT_HEADERS", "TEXT_NOTE", "Answer", "Difference", "differences", "short"]

CLIENT_HEADERS = (
    "retry-after",
    "retry-after-ms",
    "x-should-retry",
    "www-authenticate",
    "allow",
    "location",
)
"""Headers the official clients read, besides the content type (retries, auth, redirects)."""

TEXT_NOTE = (
    "a text only the real service knows: match on the status in your code and tests, not on "
    "this text"
)
_WIDTH = 60


@dataclass(frozen=True)
class Answer:
    """One side of the comparison: ``status``, ``headers`` (lower-case names) and ``body``
    (the JSON value, or :data:`~contracts.conformance.NOT_JSON` with ``text``)."""

    status: int
    headers: Mapping[str, str]
    body: Any
    text: str | None = None


@dataclass(frozen=True)
class Difference:
    """One way the mock's answer differs from the recorded one."""

    aspect: str
    recorded: str
    mock: str
    note: str = ""


def short(value: Any, width: int = _WIDTH) -> str:
    """A value in one line of at most ``width`` characters (JSON, cut in its middle)."""
    if value is NOT_JSON:
        return "(not JSON)"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= width else f"{text[: width // 2 - 2]}...{text[-(width // 2 - 2) :]}"


def _media(headers: Mapping[str, str]) -> str:
    return headers.get("content-type", "").partition(";")[0].strip().lower()


def differences(operation: str, recorded: Answer, mock: Answer) -> list[Difference]:
    """Every way ``mock`` differs from ``recorded``, for an exchange of ``operation``."""
    if recorded.status != mock.status:
        return [
            Difference(
                "status",
                f"{recorded.status} {short(recorded.body, 40)}",
                f"{mock.status} {short(mock.body, 40)}",
            )
        ]
    found: list[Difference] = []
    if _media(recorded.headers) != _media(mock.headers):
        found.append(
            Difference(
                "content-type",
                _media(recorded.headers) or "(none)",
                _media(mock.headers) or "(none)",
            )
        )
    for name in CLIENT_HEADERS:
        mine, theirs = mock.headers.get(name), recorded.headers.get(name)
        if (mine is None) != (theirs is None) or (
            mine is not None and theirs is not None and mine.strip() != theirs.strip()
        ):
            found.append(Difference(f"header {name}", theirs or "(absent)", mine or "(absent)"))
    if recorded.body is NOT_JSON or mock.body is NOT_JSON:
        if recorded.body is NOT_JSON and mock.body is NOT_JSON:
            if recorded.text is not None and recorded.text != mock.text:
                found.append(Difference("body", short(recorded.text), short(mock.text)))
        else:
            found.append(Difference("body", short(recorded.body), short(mock.body)))
        return found
    if 200 <= recorded.status < 300:
        found += _success(operation, recorded.body, mock.body)
    else:
        found += _error(recorded.body, mock.body)
    return found


def _success(operation: str, recorded: Any, mock: Any) -> list[Difference]:
    if recorded == mock:
        return []
    if operation == "list_runs" and isinstance(recorded, dict) and isinstance(mock, dict):
        return _pages(recorded, mock)
    if isinstance(recorded, dict) and isinstance(mock, dict) and "id" in recorded:
        if recorded.get("id") != mock.get("id"):
            return [Difference("body.id", short(recorded.get("id")), short(mock.get("id")))]
        return [_fields("body", recorded, mock)]
    return [Difference("body", short(recorded), short(mock))]


def _fields(where: str, recorded: Mapping[str, Any], mock: Mapping[str, Any]) -> Difference:
    keys = sorted(set(recorded) | set(mock))
    absent: Any = object()
    differing = [k for k in keys if recorded.get(k, absent) != mock.get(k, absent)]
    first = differing[0]
    return Difference(
        f"{where}: {len(differing)} field(s) ({', '.join(differing[:4])})",
        f"{first}={short(recorded.get(first, '(absent)'), 30)}",
        f"{first}={short(mock.get(first, '(absent)'), 30)}",
    )


def _ids(items: Any) -> list[Any]:
    return [item.get("id") if isinstance(item, dict) else item for item in items]


def _pages(recorded: Mapping[str, Any], mock: Mapping[str, Any]) -> list[Difference]:
    found = [
        Difference(f"body.{name}", short(recorded.get(name)), short(mock.get(name)))
        for name in ("total", "skip", "limit")
        if recorded.get(name) != mock.get(name)
    ]
    mine, theirs = mock.get("items"), recorded.get("items")
    if not isinstance(mine, list) or not isinstance(theirs, list):
        if mine != theirs:
            found.append(Difference("body.items", short(theirs), short(mine)))
        return found
    recorded_ids, mock_ids = _ids(theirs), _ids(mine)
    if recorded_ids != mock_ids:
        same_runs = sorted(map(str, recorded_ids)) == sorted(map(str, mock_ids))
        found.append(
            Difference(
                "body.items: the same runs in another order" if same_runs else "body.items",
                short(recorded_ids),
                short(mock_ids),
            )
        )
        return found
    for index, (theirs_run, mine_run) in enumerate(zip(theirs, mine, strict=True)):
        if theirs_run != mine_run:
            if isinstance(theirs_run, dict) and isinstance(mine_run, dict):
                found.append(_fields(f"body.items[{index}]", theirs_run, mine_run))
            else:
                found.append(Difference(f"body.items[{index}]", short(theirs_run), short(mine_run)))
    for key in sorted((set(recorded) | set(mock)) - {"total", "skip", "limit", "items"}):
        if recorded.get(key) != mock.get(key):
            found.append(Difference(f"body.{key}", short(recorded.get(key)), short(mock.get(key))))
    return found


def _shape(body: Any) -> str:
    if not isinstance(body, dict):
        return type(body).__name__
    detail = body.get("detail", NOT_JSON)
    kind = "absent" if detail is NOT_JSON else type(detail).__name__
    others = sorted(set(body) - {"detail"})
    return f"detail: {kind}" + (f", also {', '.join(others)}" if others else "")


def _error(recorded: Any, mock: Any) -> list[Difference]:
    if recorded == mock:
        return []
    if _shape(recorded) != _shape(mock):
        return [Difference("body (shape)", _shape(recorded), _shape(mock))]
    theirs, mine = recorded.get("detail"), mock.get("detail")
    if isinstance(theirs, str):
        return [Difference("body.detail", short(theirs), short(mine), TEXT_NOTE)]
    if isinstance(theirs, list) and isinstance(mine, list):
        return _entries(theirs, mine)
    return [Difference("body.detail", short(theirs), short(mine))]


def _entries(recorded: Sequence[Any], mock: Sequence[Any]) -> list[Difference]:
    def loc(entry: Any) -> str:
        where = entry.get("loc") if isinstance(entry, dict) else None
        return ".".join(map(str, where)) if isinstance(where, list) else short(entry, 30)

    theirs = {loc(entry): entry for entry in recorded}
    mine = {loc(entry): entry for entry in mock}
    if list(theirs) != list(mine):
        return [Difference("body.detail (fields named)", short(list(theirs)), short(list(mine)))]
    found = []
    for where, entry in theirs.items():
        other = mine[where]
        if entry != other and isinstance(entry, dict) and isinstance(other, dict):
            keys = sorted(k for k in set(entry) | set(other) if entry.get(k) != other.get(k))
            first = keys[0]
            note = TEXT_NOTE if keys == ["msg"] else ""
            found.append(
                Difference(
                    f"body.detail[{where}].{first}" + (f" (+{len(keys) - 1})" if keys[1:] else ""),
                    short(entry.get(first), 40),
                    short(other.get(first), 40),
                    note,
                )
            )
    return found
