"""Errors raised by ``mocks``: one tree, and each error carries its facts as fields.

MockError                       base of every error this package raises
 ├── InvalidRun                 a run given to the store breaks the contract or repeats an id:
 │                              ``record``, ``run_id``, ``violations`` (also a ValueError)
 ├── InvalidFault               a fault's kind, operation or options are wrong: ``kind``,
 │                              ``option`` (also a ValueError)
 ├── UnknownName                an operation or parameter name that does not exist: ``name``
 │                              (also a ValueError)
 ├── InvalidMockArgument        a wrong argument of mocks.mock_api / the extract_mock marker:
 │                              ``argument`` (also a ValueError)
 ├── InvalidShape               a data_schema / config / agents shape the mock cannot make runs
 │                              of: ``argument``, ``agent``, ``keyword`` (also a ValueError)
 ├── InvalidHeader              a header given as text is not ``Name: value``: ``value`` (also
 │                              a ValueError)
 ├── LoadError                  runs from a file or an admin body cannot be loaded: ``source``,
 │                              ``record``, ``line``, ``run_id``, ``field`` (also a ValueError)
 ├── ServeError                 the live server cannot start as asked (port in use, bad option,
 │                              runs that cannot be loaded): ``option``, ``value``, ``needs``
 └── CallAssertionError         a journal assertion failed: the expected call was (not) made
                                (also an AssertionError, so pytest shows it as a test failure)

The messages speak Python (``workers=2: only with mode='stateless'``). Only the entry points
turn the fields into the names of their own flags (the command line says ``--workers 2``, the
pytest plugin ``--extract-header``); nothing parses a message back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

__all__ = [
    "CallAssertionError",
    "InvalidFault",
    "InvalidHeader",
    "InvalidMockArgument",
    "InvalidRun",
    "InvalidShape",
    "LoadError",
    "MockError",
    "ServeError",
    "UnknownName",
]

PREFIX = "EXTRACT-CONTRACT"
"""Every assertion message starts with this, as respx's start with ``RESPX:``."""

_ABSENT: Any = object()


class MockError(Exception):
    """Base class of every error raised by ``mocks``."""


class InvalidRun(MockError, ValueError):
    """A run given to the store breaks the contract, or repeats an id.

    ``record`` is its position among the runs given together, ``run_id`` its id when it has
    one, ``violations`` every place where it breaks the contract (:class:`contracts.Violation`,
    empty for the other reasons), ``reason`` the other reasons (not a mapping, a repeated id).
    """

    def __init__(
        self,
        reason: str = "",
        *,
        record: int,
        run_id: str | None = None,
        violations: Sequence[Any] = (),
    ) -> None:
        self.record = record
        self.run_id = run_id
        self.violations = tuple(violations)
        self.reason = reason
        head = f"run #{record}" + ("" if run_id is None else f" (id {run_id})")
        if self.violations:
            lines = "".join(f"\n  {violation}" for violation in self.violations)
            super().__init__(f"{head} breaks the contract:{lines}")
        else:
            super().__init__(f"{head}: {reason}")

    @property
    def field(self) -> str | None:
        """The JSON path of the first violation (``$.status``), if the run breaks the contract."""
        return str(self.violations[0].path) if self.violations else None


class InvalidFault(MockError, ValueError):
    """A fault cannot be read or added: unknown kind or operation, or a bad setting or option.

    ``kind`` is the fault's kind as given (None when there is none), ``option`` the setting or
    option at fault (``"kind"``, ``"operation"``, ``"times"``, ``"rate"``, or one of the kind's
    options), when one is.
    """

    def __init__(self, message: str, *, kind: str | None = None, option: str | None = None):
        super().__init__(message)
        self.kind = kind
        self.option = option


class UnknownName(MockError, ValueError):
    """An operation that is not one of the four, or a parameter the operation does not have
    (``name``)."""

    def __init__(self, message: str, *, name: str) -> None:
        super().__init__(message)
        self.name = name


class InvalidMockArgument(MockError, ValueError):
    """A wrong argument of :func:`mocks.mock_api` or the ``extract_mock`` marker (``argument``
    names it; the message starts with it)."""

    def __init__(self, message: str, *, argument: str) -> None:
        super().__init__(message)
        self.argument = argument


class InvalidShape(MockError, ValueError):
    """A ``data_schema``, ``config`` or ``agents`` shape the mock cannot make runs of.

    ``argument`` is ``"data_schema"``, ``"config"`` or ``"agents"``; ``agent`` the agent id
    when the shape was given agent by agent; ``keyword`` the JSON Schema keyword the generator
    cannot honour, when that is the reason; ``violations`` the contract's, for a config that
    breaks it. The message is one line and starts with where: ``data_schema: ...`` or
    ``agents['3f1c...'].config: ...``.
    """

    def __init__(
        self,
        reason: str,
        *,
        argument: str,
        agent: str | None = None,
        keyword: str | None = None,
        violations: Sequence[Any] = (),
    ) -> None:
        self.reason = reason
        self.argument = argument
        self.agent = agent
        self.keyword = keyword
        self.violations = tuple(violations)
        super().__init__(f"{self.where}: {reason}")

    @property
    def where(self) -> str:
        """``data_schema``, or ``agents['<id>'].data_schema`` for an agent's own shape."""
        if self.agent is None:
            return self.argument
        own = "" if self.argument == "agents" else f".{self.argument}"
        return f"agents[{self.agent!r}]{own}"


class InvalidHeader(MockError, ValueError):
    """A header given as text (``"Name: value"``) that is not one: ``value`` is the text."""

    def __init__(self, value: str, reason: str = "expected 'Name: value'") -> None:
        super().__init__(f"{value!r}: {reason}")
        self.value = value
        self.reason = reason


class LoadError(MockError, ValueError):
    """Runs could not be loaded from a file or a body.

    ``source`` names the file (or ``"body"``); ``line`` is the line of the record (JSON Lines,
    or where the JSON broke), ``record`` its position among the runs, ``run_id`` its id,
    ``field`` the JSON path of the first field at fault, ``violations`` every one. The message
    is one line: ``runs.jsonl:2: run 0b6f... breaks the contract: $.status: ...``.
    """

    def __init__(
        self,
        reason: str = "",
        *,
        source: str,
        record: int | None = None,
        line: int | None = None,
        run_id: str | None = None,
        violations: Sequence[Any] = (),
    ) -> None:
        self.source = source
        self.record = record
        self.line = line
        self.run_id = run_id
        self.violations = tuple(violations)
        self.reason = reason
        super().__init__(f"{self.location}: {self.detail}")

    @property
    def location(self) -> str:
        """Where: ``FILE:LINE``, ``FILE: record #N`` or ``FILE``."""
        if self.line is not None:
            return f"{self.source}:{self.line}"
        if self.record is not None:
            return f"{self.source}: record #{self.record}"
        return self.source

    @property
    def detail(self) -> str:
        """What is wrong there (the message without :attr:`location`)."""
        if not self.violations:
            return self.reason
        who = "run" if self.run_id is None else f"run {self.run_id}"
        return f"{who} breaks the contract: " + "; ".join(str(v) for v in self.violations)

    @property
    def field(self) -> str | None:
        """The JSON path of the first violation, if the record breaks the contract."""
        return str(self.violations[0].path) if self.violations else None


class ServeError(MockError):
    """The live server cannot start as asked.

    ``option`` is the :class:`~mocks.ServerOptions` field at fault (``"port"``), ``value`` what
    it was given (absent when the rule is about the option itself), ``needs`` the ``(option,
    value)`` it is allowed only with, ``reason`` the rest. ``str()`` speaks Python
    (``workers=2: only with mode='stateless' (...)``); :meth:`describe` lets an entry point
    name the options its own way (the command line: ``--workers 2: only with --mode
    stateless (...)``).
    """

    def __init__(
        self,
        reason: str,
        *,
        option: str | None = None,
        value: Any = _ABSENT,
        needs: tuple[str, Any] | None = None,
    ) -> None:
        self.reason = reason
        self.option = option
        self.value = None if value is _ABSENT else value
        self.has_value = value is not _ABSENT
        self.needs = needs
        super().__init__(self.describe())

    def describe(self, flag: Callable[[str], str] | None = None) -> str:
        """The one-line message, the options named by ``flag`` (``flag("workers")`` ->
        ``"--workers"``: then values follow the flag as ``--workers 2``) or, without it, as
        Python fields (``workers=2``)."""

        def named(option: str, value: Any, has_value: bool = True) -> str:
            if flag is None:
                return f"{option}={value!r}" if has_value else option
            return f"{flag(option)} {value}" if has_value else flag(option)

        text = self.reason
        if self.needs is not None:
            needed = f"only with {named(*self.needs)}"
            text = f"{needed} ({text})" if text else needed
        if self.option is None:
            return text
        return f"{named(self.option, self.value, self.has_value)}: {text}"


class CallAssertionError(MockError, AssertionError):
    """A journal assertion failed; the message says what was expected and what was called."""

    def __init__(self, message: str) -> None:
        super().__init__(f"{PREFIX}: {message}")
