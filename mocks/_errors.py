"""Errors raised by ``mocks``.

MockError                       base of every error this package raises
 ├── InvalidRun                 a run given to the store breaks the contract or repeats an id
 │                              (also a ValueError)
 ├── InvalidFault               a fault's kind, operation or options are wrong (also a ValueError)
 ├── UnknownName                an operation or parameter name that does not exist (also a
 │                              ValueError)
 ├── InvalidMockArgument        a wrong argument of mocks.mock_api / the extract_mock marker
 │                              (also a ValueError)
 ├── ServeError                 the live server cannot start as asked: port in use, bad option
 │                              or --data file (defined in mocks._server)
 ├── LoadError                  runs from a file or admin body cannot be loaded; names the
 │                              record and field (also a ValueError; in mocks._loading)
 └── CallAssertionError         a journal assertion failed: the expected call was (not) made
                                (also an AssertionError, so pytest shows it as a test failure)
"""

from __future__ import annotations

__all__ = [
    "CallAssertionError",
    "InvalidFault",
    "InvalidMockArgument",
    "InvalidRun",
    "MockError",
    "UnknownName",
]

PREFIX = "EXTRACT-CONTRACT"
"""Every assertion message starts with this, as respx's start with ``RESPX:``."""


class MockError(Exception):
    """Base class of every error raised by ``mocks``."""


class InvalidRun(MockError, ValueError):
    """A run given to the store breaks the contract (the message names the record and field)."""


class InvalidFault(MockError, ValueError):
    """A fault cannot be added: unknown kind or operation, or a bad option."""


class UnknownName(MockError, ValueError):
    """An operation that is not one of the four, or a parameter the operation does not have."""


class InvalidMockArgument(MockError, ValueError):
    """A wrong argument of :func:`mocks.mock_api` or the ``extract_mock`` marker; the message
    names the argument."""


class CallAssertionError(MockError, AssertionError):
    """A journal assertion failed; the message says what was expected and what was called."""

    def __init__(self, message: str) -> None:
        super().__init__(f"{PREFIX}: {message}")
