"""The call journal: names, parameters, bounds, redaction, and readable assertion failures."""

from __future__ import annotations

import pytest

from mocks import CallAssertionError, Handler, Journal, Request, RunStore, UnknownName

from .runs import AGENT, make_run, uid

BASE = "/api/v1/extraction/runs"


@pytest.fixture
def handler() -> Handler:
    h = Handler(RunStore([make_run(1), make_run(2)]))
    h.handle(Request("GET", BASE, (("extraction_agent_id", AGENT.upper()), ("limit", "1"))))
    h.handle(Request("GET", f"{BASE}/{uid(1)}", headers={"authorization": "Bearer x"}))
    h.handle(Request("DELETE", f"{BASE}/{uid(2)}"))
    h.handle(Request("GET", "/somewhere/else"))
    return h


def test_calls_by_operation_and_parameters(handler: Handler) -> None:
    journal = handler.journal
    assert [c.operation for c in journal.calls()] == ["list_runs", "get_run", "delete_run", None]
    (listed,) = journal.calls("list_runs", extraction_agent_id=AGENT, limit=1)
    assert listed.params == {"extraction_agent_id": AGENT, "skip": 0, "limit": 1}
    assert journal.calls("list_runs", limit="1") == [listed]  # compared in canonical form
    assert journal.calls("get_run", run_id=uid(1).upper())[0].status == 200
    assert journal.calls("get_run", run_id=uid(2)) == []


def test_assert_called_passes_and_returns_the_calls(handler: Handler) -> None:
    calls = handler.journal.assert_called("delete_run", run_id=uid(2))
    assert [c.status for c in calls] == [200]
    handler.journal.assert_called("get_run", times=1)
    handler.journal.assert_not_called("get_run_by_job")
    handler.journal.assert_not_called("delete_run", run_id=uid(1))


def test_assert_called_failure_shows_what_was_called_instead(handler: Handler) -> None:
    with pytest.raises(CallAssertionError) as caught:
        handler.journal.assert_called("delete_run", run_id=uid(1))
    message = str(caught.value)
    assert isinstance(caught.value, AssertionError)
    assert message.startswith(
        f"EXTRACT-CONTRACT: expected delete_run(run_id='{uid(1)}') to be called at least once, "
        "but it was called 0 time(s)."
    )
    assert f"delete_run(run_id='{uid(2)}') -> 200" in message
    assert f"list_runs(extraction_agent_id='{AGENT}', skip=0, limit=1) -> 200" in message
    assert "GET /somewhere/else -> 404" in message


def test_assert_called_times(handler: Handler) -> None:
    with pytest.raises(CallAssertionError, match=r"to be called 2 time\(s\), but it was called 1"):
        handler.journal.assert_called("get_run", times=2)


def test_assert_not_called_failure(handler: Handler) -> None:
    with pytest.raises(CallAssertionError, match=r"expected no call to get_run\(\), but it was"):
        handler.journal.assert_not_called("get_run")


def test_failure_with_no_calls_says_so() -> None:
    with pytest.raises(CallAssertionError, match="No calls were made to the mock"):
        Journal().assert_called("get_run")


def test_unknown_names_are_user_errors(handler: Handler) -> None:
    with pytest.raises(
        UnknownName, match=r"unknown operation 'get'; the operations are: list_runs"
    ):
        handler.journal.calls("get")
    with pytest.raises(UnknownName, match=r"get_run has no parameter 'job_id'; its parameters"):
        handler.journal.assert_called("get_run", job_id=uid(1))
    with pytest.raises(TypeError, match="name the operation"):
        handler.journal.calls(run_id=uid(1))


def test_authorization_is_redacted(handler: Handler) -> None:
    (call,) = handler.journal.calls("get_run")
    assert call.headers == {"authorization": "[redacted]"}


def test_bounded_and_counts_what_fell_out() -> None:
    h = Handler(RunStore([make_run(1)]), journal_size=3)
    for _ in range(5):
        h.handle(Request("GET", f"{BASE}/{uid(1)}"))
    h.handle(Request("DELETE", f"{BASE}/{uid(1)}"))
    assert len(h.journal) == 3
    assert h.journal.dropped == 3
    with pytest.raises(CallAssertionError, match=r"\(3 older call\(s\) fell out of the journal\)"):
        h.journal.assert_called("get_run", times=5)
    h.journal.clear()
    assert (len(h.journal), h.journal.dropped) == (0, 0)


def test_long_histories_show_the_last_twenty() -> None:
    h = Handler(RunStore([make_run(1)]))
    for _ in range(30):
        h.handle(Request("GET", f"{BASE}/{uid(1)}"))
    with pytest.raises(CallAssertionError, match=r"Calls made \(30, last 20 shown\):"):
        h.journal.assert_called("delete_run")


def test_bad_size() -> None:
    with pytest.raises(ValueError, match=r"journal maxlen must be >= 0 \(0 keeps no call\)"):
        Journal(-1)
