"""Faults: the registry, each kind's answer, targeting, times and seeded rates."""

from __future__ import annotations

import json

import pytest

from contracts import ErrorResponse
from mocks import FAULT_KINDS, Faults, Handler, InvalidFault, Request, RunStore, fault_kind

from .runs import AGENT, make_run, uid

BASE = "/api/v1/extraction/runs"
GET = Request("GET", f"{BASE}/{uid(1)}")
LIST = Request("GET", BASE, (("extraction_agent_id", AGENT),))


@pytest.fixture
def handler() -> Handler:
    return Handler(RunStore([make_run(1), make_run(2)]))


def test_the_registry_holds_every_kind() -> None:
    assert set(FAULT_KINDS) == {
        "status",
        "server_error",
        "unavailable",
        "rate_limit",
        "latency",
        "connect_error",
        "read_timeout",
        "truncated",
        "not_json",
    }
    assert all(kind.description for kind in FAULT_KINDS.values())


@pytest.mark.parametrize(
    ("kind", "options", "status", "detail", "headers"),
    [
        ("server_error", {}, 500, "Internal Server Error", {}),
        ("unavailable", {"retry_after": 3}, 503, "Service Unavailable", {"retry-after": "3"}),
        ("rate_limit", {}, 429, "Too Many Requests", {"retry-after": "1"}),
        ("rate_limit", {"retry_after": 0.25}, 429, "Too Many Requests", {"retry-after": "0.25"}),
        ("status", {"status": 418}, 418, "I'm a Teapot", {}),
        ("status", {"status": 502, "detail": "upstream gone"}, 502, "upstream gone", {}),
        ("status", {"status": 599}, 599, "Error", {}),
    ],
)
def test_status_faults_answer_like_fastapi(
    handler: Handler, kind: str, options: dict, status: int, detail: str, headers: dict
) -> None:
    handler.faults.add(kind, **options)
    answer = handler.handle(GET)
    assert answer.status == status
    assert ErrorResponse.model_validate_json(answer.body).detail == detail
    assert dict(answer.headers) == {**headers, "content-type": "application/json"}


def test_a_status_fault_does_not_carry_the_request_out(handler: Handler) -> None:
    handler.faults.add("server_error", operation="delete_run", times=1)
    assert handler.handle(Request("DELETE", f"{BASE}/{uid(1)}")).status == 500
    assert uid(1) in handler.store  # type: ignore[operator]


def test_latency_adds_delay_to_the_normal_answer(handler: Handler) -> None:
    normal = handler.handle(GET)
    handler.faults.add("latency", seconds=0.2)
    slow = handler.handle(GET)
    assert (slow.status, slow.body, slow.delay) == (200, normal.body, 0.2)


def test_connect_error_never_reaches_the_store(handler: Handler) -> None:
    handler.faults.add("connect_error", operation="delete_run")
    answer = handler.handle(Request("DELETE", f"{BASE}/{uid(1)}"))
    assert answer.disconnect == "connect_error"
    assert uid(1) in handler.store  # type: ignore[operator]


def test_read_timeout_carries_the_request_out_and_loses_the_answer(handler: Handler) -> None:
    handler.faults.add("read_timeout", operation="delete_run", seconds=0.5)
    answer = handler.handle(Request("DELETE", f"{BASE}/{uid(1)}"))
    assert (answer.disconnect, answer.delay) == ("read_timeout", 0.5)
    assert uid(1) not in handler.store  # type: ignore[operator]
    (call,) = handler.journal.calls("delete_run")
    assert (call.status, call.fault) == (None, "read_timeout")


def test_truncated_body_is_a_prefix_and_not_json(handler: Handler) -> None:
    whole = handler.handle(LIST).body
    handler.faults.add("truncated", keep=0.3)
    cut = handler.handle(LIST).body
    assert whole.startswith(cut)
    assert 0 < len(cut) < len(whole)
    with pytest.raises(json.JSONDecodeError):
        json.loads(cut)


def test_truncated_never_leaves_the_whole_body(handler: Handler) -> None:
    handler.faults.add("truncated", operation="delete_run", keep=0.99)
    assert handler.handle(Request("DELETE", f"{BASE}/{uid(1)}")).body == b"{"


def test_not_json(handler: Handler) -> None:
    handler.faults.add("not_json")
    answer = handler.handle(GET)
    assert answer.status == 502
    assert dict(answer.headers)["content-type"].startswith("text/html")
    assert answer.body.startswith(b"<html>")
    handler.faults.clear()
    handler.faults.add("not_json", status=200, body="ok")
    assert (handler.handle(GET).status, handler.handle(GET).body) == (200, b"ok")


def test_targeting_one_operation(handler: Handler) -> None:
    handler.faults.add("server_error", operation="list_runs")
    assert handler.handle(GET).status == 200
    assert handler.handle(LIST).status == 500


def test_targeting_several_operations(handler: Handler) -> None:
    handler.faults.add("server_error", operation=["list_runs", "get_run"])
    assert handler.handle(GET).status == 500
    assert handler.handle(LIST).status == 500
    assert handler.handle(Request("DELETE", f"{BASE}/{uid(1)}")).status == 200


def test_unknown_paths_are_never_faulted(handler: Handler) -> None:
    handler.faults.add("server_error")
    assert handler.handle(Request("GET", "/elsewhere")).status == 404


def test_times_then_the_fault_is_spent(handler: Handler) -> None:
    fault = handler.faults.add("rate_limit", times=2)
    assert [handler.handle(GET).status for _ in range(4)] == [429, 429, 200, 200]
    assert (fault.fired, fault.remaining, len(handler.faults)) == (2, 0, 0)


def test_first_fault_that_fires_wins(handler: Handler) -> None:
    handler.faults.add("unavailable", times=1)
    handler.faults.add("server_error", times=1)
    assert [handler.handle(GET).status for _ in range(3)] == [503, 500, 200]


def test_latency_composes_with_the_fault_that_shapes_the_answer(handler: Handler) -> None:
    handler.faults.add("latency", seconds=0.25)  # listed first: it still lets the 429 through
    handler.faults.add("rate_limit", times=1)
    limited, normal = handler.handle(GET), handler.handle(GET)
    assert (limited.status, limited.delay) == (429, 0.25)
    assert (normal.status, normal.delay) == (200, 0.25)
    assert [c.fault for c in handler.journal.calls("get_run")] == ["rate_limit+latency", "latency"]


def test_latencies_add_up_and_a_dropped_connection_waits_too(handler: Handler) -> None:
    handler.faults.add("connect_error", times=1)
    handler.faults.add("latency", seconds=0.5)
    handler.faults.add("latency", seconds=0.25, times=1)
    dropped = handler.handle(GET)
    assert (dropped.disconnect, dropped.delay) == ("connect_error", 0.75)
    assert handler.journal.calls("get_run")[0].fault == "connect_error+latency+latency"
    assert handler.handle(GET).delay == 0.5


def test_only_one_replacing_fault_fires_on_a_call(handler: Handler) -> None:
    first = handler.faults.add("unavailable", rate=1)
    second = handler.faults.add("server_error", rate=1)
    assert handler.handle(GET).status == 503
    assert (first.fired, second.fired) == (1, 0)


def test_a_seeded_rate_is_reproducible(handler: Handler) -> None:
    def pattern(seed: int) -> list[int]:
        h = Handler(RunStore([make_run(1)]))
        h.faults.add("server_error", rate=0.3, seed=seed)
        return [h.handle(GET).status for _ in range(200)]

    first = pattern(4)
    assert first == pattern(4)
    assert first != pattern(5)
    assert 30 <= first.count(500) <= 90


def test_rate_and_times_together(handler: Handler) -> None:
    handler.faults.add("server_error", rate=0.5, times=3, seed=1)
    statuses = [handler.handle(GET).status for _ in range(100)]
    assert statuses.count(500) == 3


def test_faults_are_journaled(handler: Handler) -> None:
    handler.faults.add("rate_limit", times=1)
    handler.handle(GET)
    handler.handle(GET)
    assert [(c.status, c.fault) for c in handler.journal.calls("get_run")] == [
        (429, "rate_limit"),
        (200, None),
    ]


def test_fault_repr_says_what_it_does() -> None:
    fault = Faults().add("rate_limit", operation="get_run", times=2)
    assert "rate_limit on get_run" in repr(fault)


@pytest.mark.parametrize(
    ("kind", "kwargs", "message"),
    [
        ("explode", {}, "unknown fault kind 'explode'; the kinds are: connect_error, "),
        ("server_error", {"operation": "get_runs"}, "unknown operation 'get_runs'"),
        ("status", {}, "fault status: the option 'status' is required"),
        ("status", {"status": 200}, "fault status: status must be in [400, 599], got 200"),
        ("status", {"status": "500"}, "fault status: status must be int, got '500'"),
        ("latency", {"seconds": -1}, "fault latency: seconds must be in [0, 3600], got -1"),
        ("latency", {"seconds": float("nan")}, "seconds must be a finite number, got nan"),
        ("latency", {"seconds": float("inf")}, "seconds must be a finite number, got inf"),
        ("latency", {"seconds": 3601}, "seconds must be in [0, 3600], got 3601"),
        ("read_timeout", {"seconds": float("nan")}, "seconds must be a finite number"),
        ("rate_limit", {"retry_after": float("-inf")}, "retry_after must be a finite number"),
        ("unavailable", {"retry_after": float("nan")}, "retry_after must be a finite number"),
        ("truncated", {"keep": float("nan")}, "keep must be a finite number"),
        ("server_error", {"rate": float("nan")}, "rate must be a number in (0, 1], got nan"),
        ("server_error", {"operation": 5}, "operation must be a name or a list of names"),
        ("latency", {"secs": 1}, "unknown option(s) secs; its options are: seconds"),
        ("connect_error", {"seconds": 1}, "its options are: none"),
        ("truncated", {"keep": 1}, "keep must be in [0, 1), got 1"),
        ("server_error", {"times": 0}, "times must be >= 1"),
        ("server_error", {"times": 1.5}, "times must be a whole number"),
        ("server_error", {"rate": 0}, "rate must be a number in (0, 1]"),
        ("server_error", {"rate": 1.5}, "rate must be a number in (0, 1]"),
        ("rate_limit", {"retry_after": True}, "retry_after must be int or float, got True"),
    ],
)
def test_bad_faults_are_refused_clearly(kind: str, kwargs: dict, message: str) -> None:
    with pytest.raises(InvalidFault) as caught:
        Faults().add(kind, **kwargs)
    assert message in str(caught.value)


def test_a_new_kind_can_be_registered(handler: Handler) -> None:
    @fault_kind("teapot_on_odd", "418 for runs whose body has an odd length")
    def teapot(options, respond):
        answer = respond()
        return answer if len(answer.body) % 2 == 0 else type(answer)(418, b"{}")

    normal = handler.handle(GET).body
    try:
        handler.faults.add("teapot_on_odd")
        assert handler.handle(GET).status == (418 if len(normal) % 2 else 200)
    finally:
        del FAULT_KINDS["teapot_on_odd"]
