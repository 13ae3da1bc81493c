"""Conformance failures as regression tests: :func:`write_tests` writes a pytest module.

One test per distinct failure (each :class:`~._replay.Replay` of the report): it replays the
exact request with httpx (:func:`contracts.conformance.replay.client`) and asserts the same
check (:func:`~contracts.conformance.replay.assert_check`); a walking check is run again whole
(:func:`~contracts.conformance.replay.assert_walk`). The module needs only httpx, pytest and
this toolkit, and reads as one request and one assertion a test, the check's name in the test's
name, what was found in its docstring.

No secret reaches the file: a step carries no credential header, every text of the report was
scrubbed of the run's header values, and the module is scrubbed once more as a whole. The
server and the credentials come from the environment when the tests run (``RUNS_API_URL``,
``RUNS_API_TOKEN`` / ``RUNS_API_HEADERS``). A file is replaced only if it is an earlier export
(its first line says so), and atomically.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .._operations import resolve_operation
from ._errors import InvalidOption
from ._replay import Replay, Step

if TYPE_CHECKING:
    from ._report import ConformanceReport

__all__ = ["EXPORT_MARK", "check_export_path", "render_tests", "write_tests"]

EXPORT_MARK = '"""Regression tests exported by extract-contract conform --export-tests.'
"""The first line of every exported module (how an earlier export is known)."""

_WIDTH = 88  # the longest line written (ruff's and black's default)


def check_export_path(path: Path | str) -> Path:
    """The path to write the module to, or :class:`InvalidOption` (``export_tests``) saying
    why it cannot be: not a ``.py`` file, a directory, a missing directory, or a file that is
    not an earlier export (never overwritten)."""
    target = Path(path)
    parent = target.parent if str(target.parent) else Path(".")
    if target.suffix != ".py":
        raise InvalidOption("export_tests", str(path), "a .py file (a pytest module)")
    if target.is_dir():
        raise InvalidOption("export_tests", str(path), "a file, not a directory")
    if not parent.is_dir():
        raise InvalidOption("export_tests", str(path), "a file in an existing directory")
    if target.exists() and not _is_export(target):
        raise InvalidOption(
            "export_tests", str(path), "a new file or an earlier export (it is never overwritten)"
        )
    return target


def _is_export(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8") as file:
            return file.readline().rstrip("\n") == EXPORT_MARK
    except (OSError, UnicodeDecodeError):
        return False


def _name(replay: Replay) -> str:
    """``test_<check>__<operation>``: the check first, then what it was about."""
    if replay.walk is not None:
        return f"test_{replay.check}__walk"
    last = replay.steps[-1]
    path = last.path.rstrip("/") or "/"
    op, _ = resolve_operation(last.method, path)
    while op is None and path.count("/") > 1:  # an unknown path under an operation's
        path = path.rsplit("/", 1)[0]
        op, _ = resolve_operation(last.method, path)
    return f"test_{replay.check}__{op.name if op is not None else 'no_operation'}"


def _docstring(replay: Replay, description: str, indent: str) -> list[str]:
    found = " ".join(replay.found.split())
    if len(found) > 600:
        found = found[:597] + "..."
    lines = _wrap('"""' + _quote(description), indent)
    if found:
        lines += ["", *_wrap(f"Found: {_quote(found)}", indent)]
    return [*lines, f'{indent}"""']


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def _wrap(text: str, indent: str) -> list[str]:
    words, lines, line = text.split(" "), [], ""
    for word in words:
        if line and len(indent) + len(line) + 1 + len(word) > _WIDTH:
            lines.append(indent + line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(indent + line)
    return lines


def _lit(value: object) -> str:
    """A Python literal of ``value``, strings in double quotes (as ruff and black write them)."""
    if isinstance(value, str):
        if value.isprintable() and '"' not in value and "\\" not in value:
            return f'"{value}"'
        return repr(value)
    if isinstance(value, tuple):
        inner = ", ".join(_lit(item) for item in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(_lit(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_lit(k)}: {_lit(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _listing(name: str, items: Sequence[object], indent: str) -> list[str]:
    """``name=[...]``, one item a line when it does not fit on one."""
    flat = f"{name}={_lit([*items])}"
    if len(indent) + len(flat) < _WIDTH:
        return [flat]
    return [f"{name}=[", *(f"    {_lit(item)}," for item in items), "]"]


def _call(function: str, args: list[list[str]], indent: str, lead: str = "") -> list[str]:
    """``lead + function(args)`` on one line when it fits, else one argument a line (each
    argument is its lines: a long list is one item a line)."""
    if all(len(arg) == 1 for arg in args):
        flat = f"{indent}{lead}{function}({', '.join(arg[0] for arg in args)})"
        if len(flat) <= _WIDTH:
            return [flat]
    inner = indent + "    "
    lines = [f"{indent}{lead}{function}("]
    for arg in args:
        lines += [f"{inner}{line}" for line in arg[:-1]] + [f"{inner}{arg[-1]},"]
    return [*lines, f"{indent})"]


def _request(step: Step, indent: str, lead: str = "") -> list[str]:
    """``api.request(...)`` of one step, as sent."""
    args = [[_lit(step.method)], [_lit(step.target)]]
    if step.params is not None:
        args.append(_listing("params", step.params, indent + "    "))
    if step.headers:
        args.append([f"headers={_lit(dict(step.headers))}"])
    if step.body:
        args.append([f"content={step.body!r}"])
    return _call("api.request", args, indent, lead)


def _test(replay: Replay, name: str, description: str) -> list[str]:
    indent = "    "
    lines = [f"def {name}(api):", *_docstring(replay, description, indent)]
    check = [_lit(replay.check)]
    if replay.walk is not None:
        agents = _listing("agent_ids", replay.walk, indent + "    ")
        return [*lines, *_call("replay.assert_walk", [check, ["api"], agents], indent)]
    for step in replay.steps[:-1]:
        lines += _request(step, indent)
    lines += _request(replay.steps[-1], indent, "response = ")
    expected = [
        _keyword(key, value, indent + "    ") for key, value in sorted(replay.expected.items())
    ]
    return [*lines, *_call("replay.assert_check", [check, ["response"], *expected], indent)]


def _keyword(key: str, value: object, indent: str) -> list[str]:
    """``key=value``; a long text split into pieces at spaces, in parentheses."""
    flat = f"{key}={_lit(value)}"
    if len(indent) + len(flat) + 1 <= _WIDTH or not isinstance(value, str):
        return [flat]
    pieces = [piece + " " for piece in value.split(" ")]
    pieces[-1] = pieces[-1][:-1]
    chunks, chunk = [], ""
    for piece in pieces:
        if chunk and len(indent) + 6 + len(chunk) + len(piece) > _WIDTH:
            chunks.append(chunk)
            chunk = ""
        chunk += piece
    chunks.append(chunk)
    return [f"{key}=(", *(f"    {_lit(chunk)}" for chunk in chunks), ")"]


def render_tests(report: ConformanceReport, replays: Sequence[Replay] | None = None) -> str:
    """The module of regression tests of ``report`` (its replays, by default)."""
    from ._registry import CHECKS

    replays = list(report.replays if replays is None else replays)
    names: Counter[str] = Counter()
    tests = []
    for replay in replays:
        name = _name(replay)
        names[name] += 1
        if names[name] > 1:
            name = f"{name}_{names[name]}"
        description = CHECKS[replay.check].description if replay.check in CHECKS.names() else ""
        tests.append("\n".join(_test(replay, name, description or replay.check)))
    writes = sum(replay.writes or replay.check == "delete_then_gone" for replay in replays)
    writing = (
        f"Writes: {writes} test(s) send DELETE, only to a loopback URL as written or with "
        "RUNS_API_ALLOW_WRITES=1 (skipped otherwise)."
        if writes
        else "Writes: none of these tests sends a DELETE."
    )
    head = [
        EXPORT_MARK,
        "",
        *_wrap(
            f"From a conformance run against {report.base_url} (seed {report.seed}): "
            f"{len(replays)} test(s), one per distinct failure. Each replays the exact request "
            "and asserts the same check, so a fixed server passes it and a regression fails it "
            "again; a check that does not judge the answer skips the test (not exercised).",
            "",
        ),
        "",
        *_wrap(
            "Where: $RUNS_API_URL (default: the URL checked). Credentials: no header value of "
            "the run is written here; set RUNS_API_TOKEN (sent as 'Authorization: Bearer "
            f"TOKEN') or RUNS_API_HEADERS (a JSON object of headers). {writing} Needs httpx, "
            "pytest and extract-contract; run it with `pytest THIS_FILE`.",
            "",
        ),
        '"""',
        "",
        "import pytest",
        "from contracts.conformance import replay",
        "",
        f"URL = {_lit(report.base_url)}  # the URL checked ($RUNS_API_URL overrides it)",
        "",
        "",
        '@pytest.fixture(scope="module")',
        "def api():",
        "    with replay.client(URL) as client:",
        "        yield client",
    ]
    text = "\n".join(head) + "\n\n\n" + "\n\n\n".join(tests) + "\n"
    return report.secrets.scrub(text)


def write_tests(report: ConformanceReport, path: Path | str) -> Path | None:
    """Write the regression tests of ``report`` to ``path`` (atomically; see
    :func:`check_export_path`); None, and nothing written, when the run found no failure."""
    target = check_export_path(path)
    if not report.replays:
        return None
    text = render_tests(report)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".export-", suffix=".py")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
