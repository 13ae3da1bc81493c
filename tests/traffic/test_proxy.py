"""The proxy in front of a faithful upstream and of the stand-in: answers passed on unchanged,
every exchange with the four operations judged, recorded, and reported."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from contracts.traffic import read_recording
from mocks import RunStore, live_server

from .conftest import proxy, stand_in

API = "/api/v1/extraction/runs"

pytestmark = pytest.mark.usefixtures("both_ways")  # the direct way, and the app's


@pytest.fixture(scope="module")
def store() -> RunStore:
    return RunStore.seeded(seed=11, runs=9, agents=1)


def test_a_faithful_upstream_gives_the_same_bytes_and_no_violation(tmp_path: Path) -> None:
    with (
        live_server(runs=30, agents=2, log_level="error") as upstream,
        proxy(upstream.url, record=tmp_path) as proxied,
    ):
        agent = upstream.store.agents()[0]
        run = upstream.store.runs(agent)[0]
        requests = [
            ("GET", API, {"extraction_agent_id": agent, "limit": "4", "skip": "1"}),
            ("GET", f"{API}/{run['id']}", {}),
            ("GET", f"{API}/by-job/{run['job_id']}", {}),
            ("GET", f"{API}/{run['id'].upper()}", {"project_id": agent}),
            ("GET", f"{API}/nope", {}),
            ("GET", API, {"extraction_agent_id": "x", "limit": "-1"}),
            ("GET", f"{API}/", {}),  # a redirect, passed through unjudged
            ("POST", API, {}),  # 405, not one of the four: passed through
        ]
        with httpx.Client() as client:
            for method, path, query in requests:
                direct = client.request(method, upstream.url + path, params=query)
                through = client.request(method, proxied.url + path, params=query)
                assert through.status_code == direct.status_code, path
                assert through.content == direct.content, path
                assert through.headers.get("content-type") == direct.headers.get("content-type")
                assert through.headers.get("location") == direct.headers.get("location")
        log = proxied.app.log
    assert (log.exchanges, log.passed_through, log.violation_count) == (6, 2, 0)
    assert proxied.lines == []
    assert [e.operation for e in read_recording(tmp_path)] == [
        "list_runs",
        "get_run",
        "get_run_by_job",
        "get_run",
        "get_run",
        "list_runs",
    ]


def test_violations_are_lines_and_json(store: RunStore) -> None:
    ids = store.ids()
    plants = ("bad_status", "error_500")
    with (
        stand_in(store, plants, status_run=ids[1], failing_run=ids[2]) as up,
        proxy(up) as proxied,
        httpx.Client(base_url=proxied.url) as client,
    ):
        assert client.get(f"{API}/{ids[1]}").json()["status"] == "CANCELLED"  # passed on
        assert client.get(f"{API}/{ids[2]}").status_code == 500
        seen = client.get("/__extract_contract__/violations").json()
        assert client.get("/__extract_contract__/health").json() == {"status": "ok", "upstream": up}
        assert client.delete("/__extract_contract__/violations").status_code == 405
        assert client.get("/__extract_contract__/other").status_code == 404
    assert proxied.lines == [
        f"violation: get_run {API}/{ids[1]} $.status: 'CANCELLED' is not one of ['CREATED', "
        "'PENDING', 'SUCCESS', 'ERROR'] [response_schema_conformance]",
        f"violation: get_run {API}/{ids[2]} $: status 500 is not one get_run defines (200, 404, "
        "422) [status_code_conformance]",
    ]
    assert seen["violation_count"] == 2
    assert [(v["check"], v["json_path"], v["status"]) for v in seen["violations"]] == [
        ("response_schema_conformance", "$.status", 200),
        ("status_code_conformance", "$", 500),
    ]
    assert seen["violations"][0]["curl"].startswith(f"curl -X GET {up}{API}/{ids[1]}")


def test_strict_answers_502_with_the_violations(store: RunStore) -> None:
    ids = store.ids()
    with (
        stand_in(store, ("bad_status",), status_run=ids[1]) as up,
        proxy(up, strict=True) as proxied,
        httpx.Client(base_url=proxied.url) as client,
    ):
        bad = client.get(f"{API}/{ids[1]}")
        good = client.get(f"{API}/{ids[0]}")
    assert bad.status_code == 502
    assert bad.json()["detail"].startswith("the upstream's answer breaks the contract")
    assert bad.json()["violations"][0]["json_path"] == "$.status"
    assert good.status_code == 200


def test_authorization_is_forwarded_and_never_logged(store: RunStore, tmp_path: Path) -> None:
    token = "sk-live-0123456789abcdef"
    with (
        live_server(runs=5, token=token, log_level="error") as upstream,
        proxy(upstream.url, record=tmp_path, scrub=["signature"]) as proxied,
        httpx.Client(base_url=proxied.url) as client,
    ):
        headers = {"Authorization": f"Bearer {token}"}
        run_id = upstream.store.ids()[0]
        ok = client.get(f"{API}/{run_id}", headers=headers, params={"signature": "sig-777777"})
        refused = client.get(f"{API}/{run_id}")  # no token: 401, not a status get_run has
        seen = client.get("/__extract_contract__/violations").text
    assert (ok.status_code, refused.status_code) == (200, 401)
    everything = seen + "\n".join(proxied.lines)
    everything += "".join(p.read_text() for p in tmp_path.iterdir())
    assert "status 401 is not one get_run defines" in everything
    assert token not in everything
    assert "sig-777777" not in everything


def test_hop_by_hop_headers_are_dropped_both_ways() -> None:
    seen: list[dict[str, str]] = []

    async def upstream(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            return
        seen.append({k.decode(): v.decode() for k, v in scope["headers"]})
        headers = [
            (b"content-type", b"text/plain"),
            (b"x-upstream", b"1"),
            (b"keep-alive", b"timeout=5"),
            (b"connection", b"x-secret-hop"),
            (b"x-secret-hop", b"dropped"),
            (b"content-length", b"2"),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"ok"})

    from .._net import serve_in_thread

    with serve_in_thread(upstream) as url, proxy(url) as proxied:
        answer = httpx.get(
            proxied.url + "/elsewhere?x=1",
            headers={
                "Connection": "keep-alive, x-hop",
                "X-Hop": "gone",
                "TE": "trailers",
                "X-Kept": "yes",
            },
        )
    assert answer.text == "ok"
    assert answer.headers["x-upstream"] == "1"
    assert "x-secret-hop" not in answer.headers
    assert "keep-alive" not in answer.headers
    sent = seen[0]
    assert sent["x-kept"] == "yes"
    assert sent["host"] == url.removeprefix("http://")
    assert not {"x-hop", "te"} & set(sent)


def test_a_request_body_of_another_path_is_streamed_through() -> None:
    got: list[bytes] = []

    async def upstream(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        got.append(body)
        await send({"type": "http.response.start", "status": 201, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    from .._net import serve_in_thread

    def chunks():  # type: ignore[no-untyped-def]
        yield b"a" * 70_000
        yield b"b" * 70_000

    with serve_in_thread(upstream) as url, proxy(url) as proxied:
        sized = httpx.post(proxied.url + "/upload", content=b"x" * 3_000_000)
        chunked = httpx.post(proxied.url + "/upload", content=chunks())
    assert (sized.status_code, chunked.status_code) == (201, 201)
    assert got == [b"x" * 3_000_000, b"a" * 70_000 + b"b" * 70_000]


def test_an_answer_over_max_body_is_passed_on_whole_but_not_judged(tmp_path: Path) -> None:
    with live_server(runs=60, agents=1, log_level="error") as upstream:
        agent = upstream.store.agents()[0]
        query = {"extraction_agent_id": agent, "limit": "50"}
        direct = httpx.get(upstream.url + API, params=query)
        assert 32 * 1024 < len(direct.content) < 64 * 1024
        with proxy(upstream.url, max_body=4096, record=tmp_path) as proxied:
            through = httpx.get(proxied.url + API, params=query)  # held on disk, passed on
            log = proxied.app.log
        with proxy(upstream.url, max_body=2048) as small:  # 16 x 2 KiB: too large to pass on
            refused = httpx.get(small.url + API, params=query)
            after = httpx.get(small.url + API, params={**query, "limit": "1"})
    assert through.content == direct.content
    assert log.unjudged == {"the body is larger than 4 KiB": 1}
    assert "not judged: 1 answer(s): the body is larger than 4 KiB" in log.summary()
    [recorded] = read_recording(tmp_path)
    assert recorded.body_omitted == "the body is larger than 4 KiB"
    assert refused.status_code == 502
    assert refused.json()["detail"] == (
        f"upstream {upstream.url}: the answer is larger than 32 KiB"
    )
    assert after.status_code == 200


def test_gzip_is_judged_decoded_and_passed_on_as_sent() -> None:
    run = RunStore.seeded(seed=3, runs=1).runs()[0]
    import gzip

    zipped = gzip.compress(json.dumps(run).encode())

    async def upstream(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            return
        headers = [
            (b"content-type", b"application/json"),
            (b"content-encoding", b"gzip"),
            (b"content-length", str(len(zipped)).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": zipped})

    from .._net import serve_in_thread

    with serve_in_thread(upstream) as url, proxy(url) as proxied:
        answer = httpx.get(f"{proxied.url}{API}/{run['id']}")
        log = proxied.app.log
    assert answer.headers["content-encoding"] == "gzip"
    assert answer.json() == run
    assert (log.violation_count, log.judged["run_matches_request"]) == (0, 1)


def test_head_and_a_large_request_body_to_an_operation() -> None:
    async def upstream(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            return
        headers = [(b"content-type", b"text/plain"), (b"content-length", b"10")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"0123456789"})

    from .._net import serve_in_thread

    with serve_in_thread(upstream) as url, proxy(url) as proxied, httpx.Client() as client:
        head = client.head(proxied.url + "/elsewhere", timeout=5)
        big = client.request("GET", f"{proxied.url}{API}", content=b"x" * (1024 * 1024 + 1))
        after = client.get(proxied.url + "/elsewhere")
    assert (head.status_code, head.headers["content-length"], head.content) == (200, "10", b"")
    assert big.status_code == 413
    assert big.json() == {"detail": "the request body is larger than 1 MiB"}
    assert after.text == "0123456789"


def test_an_https_upstream(tmp_path: Path) -> None:
    import shutil
    import ssl
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate for 127.0.0.1")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    store = RunStore.seeded(seed=9, runs=3, agents=1)
    from mocks import create_app

    from .._net import serve_in_thread
    from .standin import StandIn

    app = create_app(StandIn(store))
    with serve_in_thread(app, ssl_keyfile=str(key), ssl_certfile=str(cert)) as url:
        upstream = url.replace("http://", "https://")
        trusted = ssl.create_default_context(cafile=str(cert))
        from contracts.traffic import Referee
        from mocks import ServerOptions
        from mocks._server.live import serving_app
        from mocks._traffic.direct import uvicorn_settings
        from mocks._traffic.proxy import ProxyApp

        app_ = ProxyApp(upstream, referee=Referee(), ssl_context=trusted)
        with serving_app(app_, ServerOptions(log_level="error"), configure=uvicorn_settings) as px:
            good = httpx.get(f"{px}{API}/{store.ids()[0]}")
        with proxy(upstream) as untrusted:  # certifi's roots: a self-signed certificate fails
            refused = httpx.get(f"{untrusted.url}{API}/{store.ids()[0]}")
    assert good.json() == store.runs()[0]
    assert app_.log.judged["run_matches_request"] == 1
    assert refused.status_code == 502
    assert "TLS with" in refused.json()["detail"]
    assert "CERTIFICATE_VERIFY_FAILED" in refused.json()["detail"]


def test_an_upstream_with_a_base_path() -> None:
    seen: list[str] = []

    async def upstream(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            return
        seen.append(scope["path"] + "?" + scope["query_string"].decode())
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    from .._net import serve_in_thread

    with serve_in_thread(upstream) as url, proxy(url + "/base/") as proxied:
        answer = httpx.get(proxied.url + "/some/where?a=1&a=2&b=%20")
    assert answer.status_code == 204
    assert seen == ["/base/some/where?a=1&a=2&b=%20"]


def test_a_failure_of_the_proxy_itself_is_a_502_naming_it() -> None:
    with live_server(runs=2, log_level="error") as upstream, proxy(upstream.url) as proxied:

        def broken(**given: object) -> None:
            raise RuntimeError("a bug")

        proxied.app.referee.settle = broken  # type: ignore[method-assign, assignment]
        proxied.app.referee.strict = True
        answer = httpx.get(f"{proxied.url}{API}/{upstream.store.ids()[0]}")
        health = httpx.get(f"{proxied.url}/__extract_contract__/health")
    assert answer.status_code == 502
    assert answer.json() == {"detail": "the proxy failed (RuntimeError: a bug)"}
    assert proxied.lines == [
        f"GET {API}/{upstream.store.ids()[0]}: the proxy failed (RuntimeError: a bug)"
    ]
    assert health.status_code == 200


def test_a_recording_that_fails_after_the_answer_leaves_the_answer_whole(tmp_path: Path) -> None:
    with (
        live_server(runs=2, log_level="error") as upstream,
        proxy(upstream.url, record=tmp_path / "rec") as proxied,
        httpx.Client() as client,
    ):
        (tmp_path / "rec").rename(tmp_path / "gone")
        (tmp_path / "rec").write_text("a file where the directory was")
        first = client.get(f"{proxied.url}{API}/{upstream.store.ids()[0]}")
        second = client.get(f"{proxied.url}{API}/{upstream.store.ids()[1]}")  # same connection
    assert (first.status_code, second.status_code) == (200, 200)
    assert len(proxied.lines) == 2
    assert "the proxy failed (RecordingError: " in proxied.lines[0]
