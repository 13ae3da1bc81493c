"""The guard and its wire against servers that misbehave: every exchange ends by its deadline
with at most 10 MiB held, a 429 is waited out once, the budget and the write policy hold, and
what went wrong is a finding with its curl line, never a traceback."""

from __future__ import annotations

import gzip
import socket
import threading
import time
import zlib

import pytest

from contracts.conformance import Limits, write_policy
from contracts.conformance._guard import Guard, Refused
from contracts.conformance._masking import Secrets
from contracts.conformance._wire import Wire, WireError, decode

from . import _hostile
from ._hostile import raw_server

LIST = "/api/v1/extraction/runs?extraction_agent_id=3f1c2a9e-5b7d-4c8e-9a1f-2b3c4d5e6f70"
CAP = 1024 * 1024


def guard_for(url: str, **limits: object) -> Guard:
    options = {"timeout": 2.0, "max_body": CAP, "max_wait": 1.0, **limits}
    return Guard(
        url, write_policy(url), Limits(**options), Secrets.of({"X-Auth-Token": "tok-s3cret"})
    )  # type: ignore[arg-type]


def test_a_body_dripped_a_byte_at_a_time_ends_at_the_whole_request_deadline():
    with raw_server(_hostile.drip(0.2)) as served:
        wire = Wire(timeout=1.0, max_body=CAP)
        started = time.monotonic()
        with pytest.raises(WireError) as info:
            wire.exchange("GET", served.url + LIST, [])
        elapsed = time.monotonic() - started
        wire.close()
    assert info.value.kind == "no answer"
    assert str(info.value) == "no complete answer within 1 s"
    # each read comes well within the timeout: only a deadline for the whole exchange ends it
    # (the whole body would take 40 s)
    assert elapsed < 5


@pytest.fixture
def resolver(monkeypatch):
    """``socket.getaddrinfo`` as the test says: ``slow.test`` hangs (until the test ends, 10 s at
    most), ``gone.test`` is unknown, ``named.test`` is 127.0.0.2 then 127.0.0.1 (nothing listens
    on the first), anything else is resolved for real. Returns the names asked for."""
    real = socket.getaddrinfo
    asked = []
    release = threading.Event()

    def getaddrinfo(host, port, *args, **kwargs):
        asked.append(host)
        if host == "slow.test":
            release.wait(10)
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        if host == "gone.test":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        if host == "named.test":
            tcp = (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "")
            return [(*tcp, ("127.0.0.2", port)), (*tcp, ("127.0.0.1", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield asked
    release.set()  # the hung lookups end with the test


def test_a_resolver_that_hangs_ends_the_request_at_the_whole_request_deadline(resolver):
    """Issue: the deadline bounded connect, write and read, but not name resolution."""
    guard = guard_for("http://slow.test:9", timeout=1.0)
    started = time.monotonic()
    for _ in range(2):  # the second waits its own deadline too, not the first one's lookup
        with pytest.raises(WireError) as info:
            guard.send("GET", "http://slow.test:9" + LIST, [])
    elapsed = time.monotonic() - started
    guard.close()
    assert info.value.kind == "no answer"
    assert str(info.value) == "no complete answer within 1 s (slow.test did not resolve)"
    assert 1.9 < elapsed < 6
    assert resolver == ["slow.test", "slow.test"]
    titles = {finding.title for finding in guard.findings}
    assert titles == {"The server answers every request, in time"}


def test_a_name_is_resolved_under_the_deadline_and_stays_the_host(resolver):
    with raw_server(_hostile.answer("200 OK", b"{}")) as served:
        port = served.url.rsplit(":", 1)[1]
        wire = Wire(timeout=5.0, max_body=CAP)
        answer = wire.exchange("GET", f"http://named.test:{port}{LIST}", [])
        with pytest.raises(WireError) as info:
            wire.exchange("GET", f"http://gone.test:{port}{LIST}", [])
        wire.close()
    assert answer.status == 200  # 127.0.0.2 refused, so the next address was tried
    assert served.requests[0].lower().count(f"host: named.test:{port}".encode()) == 1
    assert [name for name in resolver if name.endswith(".test")] == ["named.test", "gone.test"]
    assert (info.value.kind, str(info.value)) == (
        "no answer",
        f"ConnectError: [Errno {socket.EAI_NONAME}] Name or service not known",
    )


def test_an_endless_body_stops_at_the_cap():
    with raw_server(_hostile.endless_body) as served:
        wire = Wire(timeout=10.0, max_body=CAP)
        with pytest.raises(WireError) as info:
            wire.exchange("GET", served.url + LIST, [])
        wire.close()
    assert info.value.kind == "too large"
    assert "larger than 1 MiB" in str(info.value)


def test_a_gzip_bomb_is_decoded_only_up_to_the_cap():
    with raw_server(_hostile.gzip_bomb(decoded_mib=64)) as served:
        wire = Wire(timeout=10.0, max_body=CAP)
        with pytest.raises(WireError) as info:
            wire.exchange("GET", served.url + LIST, [])
        wire.close()
    assert info.value.kind == "too large"
    assert "decodes to more than" in str(info.value)
    request = served.requests[0].decode().lower()
    assert "accept-encoding: gzip, deflate" in request


@pytest.mark.parametrize(
    ("codings", "body", "expected"),
    [
        (["gzip"], gzip.compress(mtime=0, data=b'{"a": 1}'), b'{"a": 1}'),
        (["gzip", "gzip"], gzip.compress(mtime=0, data=gzip.compress(mtime=0, data=b"x")), b"x"),
        (["deflate"], zlib.compress(b"zz"), b"zz"),
        (["deflate"], zlib.compress(b"raw")[2:-4], b"raw"),  # raw deflate, as servers send
        (["identity"], b"plain", b"plain"),
        ([], gzip.compress(mtime=0, data=b"a"), gzip.compress(mtime=0, data=b"a")),
    ],
    ids=["gzip", "gzip twice", "deflate", "raw deflate", "identity", "none"],
)
def test_decoding_follows_the_codings(codings, body, expected):
    assert decode(body, codings, CAP) == expected


@pytest.mark.parametrize(
    ("codings", "body", "message"),
    [
        (["gzip"], b"not gzip at all", "not valid gzip"),
        (["gzip"], gzip.compress(mtime=0, data=b"x" * 1000)[:20], "cut short"),
        (["br"], b"\x8b\x02\x80", "'br' was not asked for"),
    ],
    ids=["not gzip", "cut short", "br"],
)
def test_a_body_that_does_not_decode_is_a_bad_encoding(codings, body, message):
    with pytest.raises(WireError) as info:
        decode(body, codings, CAP)
    assert info.value.kind == "bad encoding"
    assert message in str(info.value)


def test_bad_gzip_and_bad_json_from_a_server_are_findings_not_tracebacks():
    bad_gzip = _hostile.answer(
        "200 OK", b"garbage", ("Content-Type: application/json", "Content-Encoding: gzip")
    )
    with raw_server(bad_gzip) as served:
        guard = guard_for(served.url)
        with pytest.raises(WireError):
            guard.send("GET", served.url + LIST, [("X-Auth-Token", "tok-s3cret")])
    with raw_server(_hostile.answer("200 OK", b'{"items": [')) as served:
        json_guard = guard_for(served.url)
        answer = json_guard.send("GET", served.url + LIST, [])
    assert answer.status == 200  # delivered: the checks judge it too
    (finding,) = guard.findings
    assert finding.title == "An answer decodes as its Content-Encoding says"
    assert finding.operation == "GET /api/v1/extraction/runs"
    assert "X-Auth-Token: [Filtered]" in finding.curl
    assert "tok-s3cret" not in finding.curl
    (json_finding,) = json_guard.findings
    assert json_finding.title == "A JSON answer is valid JSON"
    assert "the body is not JSON" in json_finding.message


def test_a_redirect_to_another_port_is_reported_and_not_followed():
    with raw_server(_hostile.answer("200 OK", b"{}")) as elsewhere:
        redirect = _hostile.answer("307 Temporary Redirect", b"", (f"Location: {elsewhere.url}/x",))
        with raw_server(redirect) as served:
            guard = guard_for(served.url)
            answer = guard.send("GET", served.url + LIST, [])
    assert answer.status == 307
    assert elsewhere.requests == []
    (finding,) = guard.findings
    assert f"redirecting to {elsewhere.url}/x: another host, not followed" in finding.message


def test_a_429_is_waited_out_once_and_a_second_one_stops_the_run():
    stops = []
    with raw_server(_hostile.answer("429 Too Many Requests", b"{}", ("Retry-After: 0.2",))) as s:
        guard = guard_for(s.url)
        guard.on_stop(lambda: stops.append(True))
        started = time.monotonic()
        with pytest.raises(Refused) as info:
            guard.send("GET", s.url + LIST, [])
        waited = time.monotonic() - started
        with pytest.raises(Refused):  # stopped: nothing more is sent
            guard.send("GET", s.url + LIST, [])
    assert len(s.requests) == 2
    assert waited >= 0.2
    assert info.value.kind == "stopped"
    assert guard.untestable
    assert "keeps answering 429" in (guard.stopped or "")
    assert stops == [True]


def test_retry_after_is_capped_by_max_wait():
    with raw_server(_hostile.answer("429 Too Many Requests", b"{}", ("Retry-After: 3600",))) as s:
        guard = guard_for(s.url, max_wait=0.1)
        started = time.monotonic()
        with pytest.raises(Refused):
            guard.send("GET", s.url + LIST, [])
    assert time.monotonic() - started < 30
    assert "after waiting 0.1 s" in (guard.stopped or "")


def test_no_answer_three_times_stops_the_run_as_untestable():
    with raw_server(_hostile.drops) as served:
        guard = guard_for(served.url)
        for _ in range(3):
            with pytest.raises(WireError):
                guard.send("GET", served.url + LIST, [])
        with pytest.raises(Refused):
            guard.send("GET", served.url + LIST, [])
    assert guard.untestable
    assert guard.stopped is not None
    assert guard.stopped.startswith("3 answers were unusable")
    assert len(guard.findings) == 3


def test_the_budget_and_the_pace_hold():
    with raw_server(_hostile.answer("200 OK", b"{}")) as served:
        guard = guard_for(served.url, max_requests=3, rate=20.0)
        started = time.monotonic()
        for _ in range(3):
            guard.send("GET", served.url + LIST, [])
        paced = time.monotonic() - started
        with pytest.raises(Refused) as info:
            guard.send("GET", served.url + LIST, [])
    assert info.value.kind == "budget"
    assert guard.budget_spent
    assert not guard.untestable
    assert guard.sent == 3
    assert len(served.requests) == 3
    assert paced >= 2 / 20  # three requests at 20/s take two intervals at least


def test_the_write_policy_and_the_host_are_checked_before_anything_is_sent():
    with raw_server(_hostile.answer("200 OK", b"{}")) as served:
        remote = served.url.replace("127.0.0.1", "runs.test")  # not loopback as written
        guard = Guard(remote, write_policy(remote), Limits(), Secrets())
        with pytest.raises(Refused) as info:
            guard.send("DELETE", remote + "/api/v1/extraction/runs/x", [])
        with pytest.raises(Refused) as elsewhere:
            guard.send("GET", "http://example.com/", [])
    assert info.value.kind == "write"
    assert elsewhere.value.kind == "other host"
    assert guard.sent == guard.deletes == 0
    assert guard.refused_writes == 1
    assert served.requests == []
