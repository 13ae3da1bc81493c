"""How the journal keeps calls: one shape (a Call), redacted when noted, in order."""

from __future__ import annotations

from mocks import Call, Journal, Request


def test_a_noted_call_keeps_no_secret_and_no_alias_of_the_request_headers() -> None:
    journal = Journal()
    headers = {"authorization": "Bearer s3cret", "cookie": "id=s3cret", "accept": "*/*"}
    journal.note(Request("GET", "/p", (), headers), "get_run", {"run_id": "x"}, 200, None)
    headers["accept"] = "changed"
    # nothing kept, public or private, holds the credential
    assert "s3cret" not in repr(journal._calls)
    assert all("s3cret" not in str(call.headers) for call in journal._calls)
    (call,) = journal
    assert call == Call("get_run", "GET", "/p", {"run_id": "x"}, (), call.headers, 200, None)
    assert call.headers == {
        "authorization": "[redacted]",
        "cookie": "[redacted]",
        "accept": "*/*",
    }


def test_a_recorded_call_is_redacted_too() -> None:
    journal = Journal()
    journal.record(Call("get_run", "GET", "/a", {}, (), {"X-Api-Key": "k3y"}, 200))
    (call,) = journal
    assert call.headers == {"X-Api-Key": "[redacted]"}


def test_recorded_and_noted_calls_read_back_in_order_and_fall_out_oldest_first() -> None:
    journal = Journal(maxlen=2)
    journal.record(Call("get_run", "GET", "/a", {}, (), {}, 200))
    journal.note(Request("GET", "/b", (("limit", "1"),)), "list_runs", {"limit": 1}, 200, None)
    journal.note(Request("GET", "/c"), None, {}, 404, "status")
    calls = list(journal)
    assert [(c.operation, c.path, c.status, c.fault) for c in calls] == [
        ("list_runs", "/b", 200, None),
        (None, "/c", 404, "status"),
    ]
    assert all(isinstance(c, Call) for c in calls)
    assert all(isinstance(entry, Call) for entry in journal._calls)  # one shape, kept as read
    assert calls[0].query == (("limit", "1"),)
    assert journal.dropped == 1
    assert journal.calls("list_runs", limit=1) == [calls[0]]
