"""Benchmark of the live mock server (a script, not a test): ``python bench/server.py``.

In one run, on 127.0.0.1 only, bounded in time:

- **ours**: ``extract-contract serve`` (stateful, 10,000 runs);
- **ceiling**: a minimal uvicorn app (same uvicorn, parser and loop) answering each benchmarked
  URL with one fixed body, the same bytes ours sends, so the ratio measures our overhead;
- **prism**: ``npx @stoplight/prism-cli mock contracts/openapi.json`` when npx can install it
  (skipped with a note otherwise).

Each is measured with ``wrk`` when installed (else the bounded Python generator of
``tests/server/_load.py``) for get-by-id and list at 1 and 32 connections: requests/s and p99.
The list rows ask one page again and again, which ours answers from the pages its store keeps
(the last 64, forgotten at every write); "pages-20" asks 160 different pages of 20 in turn,
more than are kept, so it times pages made from the index (the ceiling sends each page's own
bytes, Prism its one item).
Also: time from process start to the first 200 with 10,000 runs (median of 3), and resident
memory with 10,000 runs after the load. Targets: >= 10x Prism's requests/s and a lower p99;
>= 50% of the ceiling; first 200 within 1 s; RSS < 150 MB.

Options: ``--duration SECONDS`` per measurement (default 5), ``--no-prism``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mocks import RunStore  # noqa: E402

API = "/api/v1/extraction/runs"
HEALTH = "/__extract_contract__/health"
RUNS = 10_000
HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


CEILING_APP = textwrap.dedent(
    """
    import json, sys, uvicorn
    bodies = {k.encode(): v.encode("latin-1") for k, v in json.load(open(sys.argv[2])).items()}
    missing = b'{"detail":"Not Found"}'

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        query = scope["query_string"]
        target = scope["raw_path"] + (b"?" + query if query else b"")
        body = bodies.get(target, missing)
        await send({"type": "http.response.start", "status": 200 if target in bodies else 404,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
                access_log=False, lifespan="off", server_header=False, http="httptools")
    """
)


def _wait_for_200(url: str, timeout: float) -> float:
    """Seconds until ``url`` answers 200 (polling every 5 ms)."""
    started = time.perf_counter()
    deadline = started + timeout
    while time.perf_counter() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.005)
    raise RuntimeError(f"{url} did not answer 200 within {timeout}s")


@contextmanager
def _process(
    command: list[str], probe: str, timeout: float = 30
) -> Iterator[tuple[subprocess.Popen[bytes], float]]:
    started = time.perf_counter()
    # a session of its own, so that stopping it stops its children too (npx runs Prism in one)
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        _wait_for_200(probe, timeout)
        yield process, time.perf_counter() - started
    finally:
        _stop_group(process)


def _body_size(url: str) -> int:
    with urllib.request.urlopen(url) as response:
        return len(response.read())


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _rss_tree_mib(pid: int) -> float:
    """RSS of a process and its children (npx runs Prism as a child)."""
    total = _rss_mib(pid)
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        for child in children.read_text().split():
            total += _rss_tree_mib(int(child))
    return total


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def cycling_script(paths: list[str], threads: int) -> str:
    """A wrk Lua script by which wrk's ``threads`` threads ask ``paths`` in turn, each thread
    its own share (thread t: paths t, t + threads, ...), so that no thread asks a path another
    one asked just before."""
    listed = ", ".join(json.dumps(path) for path in paths)  # a JSON string is Lua's too
    return (
        f"local paths = {{{listed}}}\nlocal threads = {threads}\nlocal made = 0\n"
        "function setup(thread)\n  thread:set('part', made)\n  made = made + 1\nend\n"
        "local i = 0\n"
        "request = function()\n  local k = (i * threads + (part or 0)) % #paths + 1\n"
        "  i = i + 1\n  return wrk.format(nil, paths[k])\nend\n"
    )


def _wrk(url: str, connections: int, duration: float, paths: list[str]) -> tuple[float, float]:
    """(requests/s, p99 ms) from wrk; with ``paths``, each connection asks them in turn."""
    threads = min(connections, 2)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration:g}s", "--latency"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="bench-paths-") as script:
        if paths:
            script.write(cycling_script(paths, threads))
            script.flush()
            command += ["-s", script.name]
        out = subprocess.run(
            [*command, url],
            capture_output=True,
            text=True,
            timeout=duration + 30,
            check=True,
        ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    if non_2xx or errors:
        found = " ".join(m.group(0) for m in (non_2xx, errors) if m)
        print(f"  note: {url} c={connections}: {found}")
    assert p99 is not None, out
    return rate, float(p99.group(1)) * _UNITS[p99.group(2)]


def _python_load(
    url: str, connections: int, duration: float, paths: list[str]
) -> tuple[float, float]:
    from tests.server._load import hammer, request_bytes

    parts = urllib.parse.urlsplit(url)
    targets = paths or [parts.path + (f"?{parts.query}" if parts.query else "")]
    total = int(2000 * duration) if connections == 1 else int(4000 * duration)
    requests = [request_bytes("GET", target) for target in targets]
    result = hammer(HOST, parts.port or 80, requests, total=total, connections=connections)
    return result.rate, result.percentile(0.99) * 1000


def measure(
    url: str, connections: int, duration: float, paths: list[str] | None = None
) -> tuple[float, float]:
    """(requests/s, p99 ms) of ``url``, or of ``paths`` asked in turn on its server."""
    if shutil.which("wrk"):
        return _wrk(url, connections, duration, paths or [])
    return _python_load(url, connections, duration, paths or [])


def _prism_command(port: int) -> list[str] | None:
    npx = shutil.which("npx")
    if npx is None:
        return None
    check = subprocess.run(
        [npx, "--yes", "@stoplight/prism-cli@5", "--version"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check.returncode != 0:
        return None
    return [
        npx,
        "--yes",
        "@stoplight/prism-cli@5",
        "mock",
        str(ROOT / "contracts" / "openapi.json"),
        "-h",
        HOST,
        "-p",
        str(port),
        "--errors",
        "false",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=3, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="measurements per median")
    parser.add_argument("--no-prism", action="store_true")
    args = parser.parse_args()

    store = RunStore.seeded(seed=0, runs=RUNS)
    run_id = store.ids()[RUNS // 2]
    agent = store.agents()[0]
    # Prism answers a list with one item whatever the limit: "list-1" compares like with like,
    # "list-20" is a page of 20 runs (about 24 KB) from ours and the ceiling
    targets = {
        "get-by-id": f"{API}/{run_id}",
        "list-1": f"{API}?extraction_agent_id={agent}&limit=1",
        "list-20": f"{API}?extraction_agent_id={agent}&limit=20",
        "pages-20": f"{API}?extraction_agent_id={agent}&limit=20&skip=0",
    }
    # 160 pages of 20 asked in turn: more than the 64 pages the store keeps
    cycled = {
        "pages-20": [
            f"{API}?extraction_agent_id={agent}&limit=20&skip={20 * page}" for page in range(160)
        ]
    }
    tool = "wrk" if shutil.which("wrk") else "python load generator (wrk not installed)"
    print(
        f"bench/server.py: {RUNS} runs; {args.rounds} rounds of {args.duration:g}s per "
        f"measurement, medians; load by {tool}\n"
    )

    notes: list[str] = []
    serve = [sys.executable, "-m", "mocks._cli", "serve", "--runs", str(RUNS), "--seed", "0"]

    # -- start-up time of ours (median of 3) ------------------------------------------------
    startups = []
    for _ in range(3):
        port = free_port()
        probe = f"http://{HOST}:{port}{targets['get-by-id']}"
        with _process([*serve, "--port", str(port)], probe) as (_, took):
            startups.append(took)
    startup = statistics.median(startups)

    with ExitStack() as stack:
        # -- ours, then the ceiling serving the very bytes ours sends, then Prism ---------------
        ours_port = free_port()
        ours, _ = stack.enter_context(
            _process([*serve, "--port", str(ours_port)], f"http://{HOST}:{ours_port}{HEALTH}")
        )
        servers = {"ours": ours_port}
        bodies = {}
        for target in [*targets.values(), *(p for paths in cycled.values() for p in paths)]:
            with urllib.request.urlopen(f"http://{HOST}:{ours_port}{target}") as response:
                bodies[target] = response.read().decode("latin-1")
        body_file = stack.enter_context(
            tempfile.NamedTemporaryFile("w", suffix=".json", prefix="ceiling-")
        )
        json.dump(bodies, body_file)
        body_file.flush()
        ceiling_port = free_port()
        stack.enter_context(
            _process(
                [sys.executable, "-c", CEILING_APP, str(ceiling_port), body_file.name],
                f"http://{HOST}:{ceiling_port}{targets['get-by-id']}",
            )
        )
        servers["ceiling"] = ceiling_port
        prism = None
        if args.no_prism:
            notes.append("Prism: skipped (--no-prism)")
        else:
            prism_port = free_port()
            command = _prism_command(prism_port)
            if command is None:
                notes.append("Prism: skipped (npx could not install @stoplight/prism-cli)")
            else:
                probe = f"http://{HOST}:{prism_port}{targets['get-by-id']}"
                prism, _ = stack.enter_context(_process(command, probe, timeout=120))
                servers["prism"] = prism_port

        # -- rounds: each configuration measured on every server in turn, medians kept --------
        samples: dict[tuple[str, str, int], list[tuple[float, float]]] = {}
        sizes = {
            (server, name): _body_size(f"http://{HOST}:{port}{target}")
            for server, port in servers.items()
            for name, target in targets.items()
        }
        for name, target in targets.items():
            for connections in (1, 32):
                for round_ in range(args.rounds):
                    # alternate the order, so that no server always runs first or last
                    turn = list(servers.items())
                    for server, port in turn if round_ % 2 == 0 else reversed(turn):
                        url = f"http://{HOST}:{port}{target}"
                        key = (server, name, connections)
                        paths = cycled.get(name)
                        rate_p99 = measure(url, connections, args.duration, paths)
                        samples.setdefault(key, []).append(rate_p99)
        rss = _rss_mib(ours.pid)
        prism_rss = None if prism is None else _rss_tree_mib(prism.pid)

    rows = [
        (
            server,
            name,
            connections,
            statistics.median(r for r, _ in runs),
            statistics.median(p for _, p in runs),
        )
        for (server, name, connections), runs in samples.items()
    ]
    order = {"ours": 0, "ceiling": 1, "prism": 2}
    names = list(targets)
    rows.sort(key=lambda row: (order[row[0]], names.index(row[1]), row[2]))

    # -- the table ------------------------------------------------------------------------------
    by = {(server, name, c): (rate, p99) for server, name, c, rate, p99 in rows}
    header = (
        "server",
        "endpoint",
        "conns",
        "bytes",
        "req/s",
        "p99 ms",
        "of ceiling",
        "x prism",
        "p99/prism",
    )
    widths = (9, 11, 6, 7, 9, 9, 12, 9, 11)
    print(
        "".join(
            f"{h:<{w}}" if i < 2 else f"{h:>{w}}"
            for i, (h, w) in enumerate(zip(header, widths, strict=True))
        )
    )
    for server, name, c, rate, p99 in rows:
        ceiling = by.get(("ceiling", name, c))
        prism = by.get(("prism", name, c))
        mine = server == "ours"
        cells = (
            server,
            name,
            str(c),
            str(sizes[server, name]),
            f"{rate:.0f}",
            f"{p99:.2f}",
            f"{rate / ceiling[0]:.0%}" if ceiling and mine else "",
            f"{rate / prism[0]:.1f}x" if prism and mine else "",
            f"{p99 / prism[1]:.2f}" if prism and mine else "",
        )
        print(
            "".join(
                f"{v:<{w}}" if i < 2 else f"{v:>{w}}"
                for i, (v, w) in enumerate(zip(cells, widths, strict=True))
            )
        )
    print()
    each = ", ".join(f"{took:.2f}" for took in startups)
    print(f"start to first 200 with {RUNS} runs: median {startup:.2f}s of {each} (target <= 1 s)")
    print(f"RSS with {RUNS} runs after the load: {rss:.0f} MiB (target < 150 MB)")
    if prism_rss is not None:
        print(f"Prism RSS (npx and its children): {prism_rss:.0f} MiB")
    for note in notes:
        print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
