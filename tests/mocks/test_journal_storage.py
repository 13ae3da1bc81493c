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


def _big_request(i: int, *, headers: int = 600, value: int = 100) -> Request:
    """A request with a head of about 60 KB: many headers, a long query and path."""
    fields = {f"x-filler-{n}": "v" * value for n in range(headers)}
    fields["authorization"] = "Bearer s3cret"
    query = tuple((f"q{n}", "w" * 200) for n in range(100))
    return Request("GET", f"/nope/{i}/" + "p" * 5000, query, fields)


def test_a_large_request_is_kept_as_a_marked_truncated_copy() -> None:
    journal = Journal()
    journal.note(_big_request(1), None, {}, 404, None)
    journal.note(Request("GET", "/small", (("a", "1"),), {"accept": "*/*"}), None, {}, 404, None)
    big, small = journal
    assert big.truncated
    assert len(big.path) == 1024
    assert big.path.startswith("/nope/1/ppp")
    assert len(big.headers) <= 64
    assert len(big.query) <= 64
    assert all(len(n) <= 1024 and len(v) <= 1024 for n, v in [*big.headers.items(), *big.query])
    text = sum(len(n) + len(v) for n, v in [*big.headers.items(), *big.query])
    assert text <= 8 * 1024 + 2 * 1024
    assert "s3cret" not in repr(journal._calls)
    assert small == Call(None, "GET", "/small", {}, (("a", "1"),), {"accept": "*/*"}, 404)
    assert not small.truncated


def test_one_long_value_is_cut_and_marked_even_in_a_small_head() -> None:
    journal = Journal()
    journal.note(Request("GET", "/p", (), {"x-long": "z" * 5000}), "get_run", {}, 404, None)
    long_id = "r" * 3000  # a parameter's value comes from the path (or the query)
    journal.note(Request("GET", f"/runs/{long_id}"), "get_run", {"run_id": long_id}, 422, None)
    journal.record(Call("get_run", "GET", "/p", {"run_id": long_id}, (), {}, 422))
    header, param, recorded = journal
    assert (header.truncated, len(header.headers["x-long"])) == (True, 1024)
    assert (param.truncated, len(param.params["run_id"]), len(param.path)) == (True, 1024, 1024)
    assert (recorded.truncated, len(recorded.params["run_id"])) == (True, 1024)


def test_the_journal_is_bounded_in_bytes_as_well_as_calls() -> None:
    journal = Journal(maxlen=1000, max_bytes=256 * 1024)
    for i in range(200):
        journal.note(_big_request(i), None, {}, 404, None)
    assert journal.bytes <= 256 * 1024
    assert 5 <= len(journal) < 200
    assert journal.dropped == 200 - len(journal)
    assert [call.path[:9] for call in journal][-1] == "/nope/199"  # the newest stay
    journal.clear()
    assert (len(journal), journal.bytes, journal.dropped) == (0, 0, 0)


def test_pages_read_the_oldest_first() -> None:
    journal = Journal(maxlen=10)
    for i in range(15):
        journal.note(Request("GET", f"/{i}"), None, {}, 404, None)
    assert [c.path for c in journal.page(0, 3)] == ["/5", "/6", "/7"]
    assert [c.path for c in journal.page(8)] == ["/13", "/14"]
    assert journal.page(20, 5) == []
