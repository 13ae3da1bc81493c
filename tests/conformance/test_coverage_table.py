"""``conform`` prints the API coverage of its run: the same table as the pytest plugin's, every
answer counted once, the declared statuses it never saw and the operations it never called."""

from __future__ import annotations

import re

from contracts.conformance import run_conformance
from mocks._cli import main

from . import _apps
from .conftest import served


def test_every_answer_of_a_run_is_counted_once() -> None:
    app = _apps.ReferenceApp()
    with served(app) as url:
        report = run_conformance(url, agent_ids=app.agent_ids, max_examples=5, seed=4)
    coverage = report.coverage
    answered = sum(coverage.calls(name) for name in coverage.statuses)
    assert answered + sum(coverage.unmatched.values()) == report.counters["requests"]
    assert coverage.never_called() == []
    # the API phase walks the pages, the matrix sends limit=0 and a skip past 64 bits
    assert all(coverage.edges[edge] for edge in ("first page", "middle page", "last page"))
    assert coverage.statuses["get_run"]["404"] > 0  # the deleted run, among others
    assert coverage.statuses["list_runs"]["422"] > 0  # the matrix
    assert coverage.statuses["get_run"]["405"] > 0  # a wrong method on the path of get_run


def test_a_read_only_run_shows_what_it_never_saw(capsys) -> None:  # type: ignore[no-untyped-def]
    code = main(
        [
            "conform",
            "--embedded",
            "--read-only",
            "--phases",
            "examples",
            "--max-examples",
            "3",
            "--seed",
            "2",
            "-q",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    table = out[out.index("API coverage of this run: ") :]
    head = re.match(r"API coverage of this run: (\d+) of 11 declared", table)
    assert head is not None
    never = re.search(r"^declared, never answered: (.*)$", table, re.M)
    assert never is not None
    missed = never.group(1).split(", ")
    assert {"delete_run 200", "delete_run 404", "delete_run 422"} <= set(missed)
    assert int(head.group(1)) == 11 - len(missed)
    assert re.search(r"^delete_run +0 +0 +0 +0 ", table, re.M)
    assert "never called: delete_run" in table
    assert "pagination (list_runs 200): first page " in table
