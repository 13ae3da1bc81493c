"""A journal is kept where something can read it: ``serve`` keeps one only with ``--admin``
(its one reader), and a journal that keeps nothing says so when asked for calls."""

from __future__ import annotations

import pytest

from mocks import ServeError, ServerOptions
from mocks._cli import build_parser
from mocks._cli.serve import JOURNAL_SIZE, _options
from mocks._core.http import Request
from mocks._core.journal import Journal
from mocks._errors import CallAssertionError
from mocks._server.build import build_server


def _serve_options(*flags: str) -> ServerOptions:
    options: ServerOptions = _options(build_parser().parse_args(["serve", *flags]))
    return options


def test_serve_keeps_a_journal_only_for_its_admin_api() -> None:
    assert _serve_options().journal_size == 0
    assert _serve_options("--admin").journal_size == JOURNAL_SIZE
    assert build_server(_serve_options("--runs", "3")).journal.maxlen == 0


def test_a_journal_of_no_calls_notes_nothing_and_refuses_to_be_asked() -> None:
    journal = Journal(0)
    journal.note(Request("GET", "/api/v1/extraction/runs"), "list_runs", {}, 200, None)
    assert len(journal) == 0
    with pytest.raises(CallAssertionError, match=r"keeps no journal \(journal_size=0\)"):
        journal.assert_called("list_runs")
    with pytest.raises(CallAssertionError, match="keeps no journal"):
        journal.calls()


def test_the_admin_api_needs_a_journal() -> None:
    with pytest.raises(ServeError, match=r"journal_size=0: only with admin=False"):
        ServerOptions(admin=True, journal_size=0)
    with pytest.raises(ServeError, match=r"journal_size: must be >= 0"):
        ServerOptions(journal_size=-1)
