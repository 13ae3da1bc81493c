"""Benchmark of payload generation (a script, not a test): ``python bench/generation.py``.

Valid ExtractRuns per second, in one run, for:

- **ours, Hypothesis realistic / schema-wide**: ``extract_runs(realistic=True)`` and
  ``extract_runs()``;
- **ours, seeded**: ``sample("run", ...)`` realistic and schema-wide (the mock's and the
  fixtures' path; no Hypothesis engine);
- **hypothesis-jsonschema**: raw ``from_schema`` on the same committed ExtractRun schema. Its
  newest release fails on every object schema with Hypothesis >= 6.170.10, so it is measured in
  a throw-away venv under /tmp with ``hypothesis==6.170.9`` (created on first use with pip; the
  last release it works with), run as a subprocess; the installed Hypothesis is tried too and
  its failure shown;
- **polyfactory** on our pydantic model, as is and with hand-written providers for the fields
  it cannot make valid on its own.

Method, the same for all: each generator is asked for N examples in a plain loop (Hypothesis
strategies: one ``@given`` function run with ``max_examples=N``, generate phase only, no
database, no deadline; the examples are appended to a list and nothing else happens inside).
The clock covers generation only, and it is the process's CPU time
(``time.process_time``): every generator here is single-threaded, and other work on the
machine then does not skew the figures or the ratios. Afterwards every example is checked
with python-jsonschema against the committed ExtractRun schema (with the contract's ``uuid``
and ``date-time`` checks); a polyfactory build that raises counts as invalid.
valid/s = valid examples / generation seconds; the median of ``--repeats`` runs is shown.
Targets: ours >= 400 valid runs/s, >= 20x raw hypothesis-jsonschema, 100% valid.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import contracts  # noqa: E402

HJS_VENV = Path("/tmp/extract-contract-bench-hjs")
HJS_PINS = ["hypothesis==6.170.9", "hypothesis-jsonschema==0.23.1"]

Result = dict[str, Any]


def _judge() -> Any:
    """python-jsonschema on the committed ExtractRun schema, with the contract's formats."""
    from jsonschema import Draft202012Validator, FormatChecker

    checker = FormatChecker(formats=())
    checker.checks("uuid")(lambda v: not isinstance(v, str) or contracts.is_uuid(v))
    checker.checks("date-time")(lambda v: not isinstance(v, str) or contracts.is_datetime(v))
    return Draft202012Validator(contracts.json_schema("ExtractRun"), format_checker=checker)


def _hypothesis_examples(strategy: Any, n: int) -> tuple[list[Any], float]:
    from hypothesis import HealthCheck, Phase, given, settings

    examples: list[Any] = []

    @settings(
        max_examples=n,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(value: Any) -> None:
        examples.append(value)

    start = time.process_time()
    collect()
    return examples, time.process_time() - start


def _measure(make: Callable[[int], tuple[list[Any], float, int]], n: int) -> Result:
    examples, seconds, failed = make(n)
    judge = _judge()
    valid = sum(1 for e in examples if judge.is_valid(e))
    total = len(examples) + failed
    return {
        "n": total,
        "seconds": seconds,
        "valid": valid,
        "validity": valid / total if total else 0.0,
        "rate": valid / seconds if seconds else 0.0,
    }


def _ours_hypothesis(realistic: bool) -> Callable[[int], tuple[list[Any], float, int]]:
    def make(n: int) -> tuple[list[Any], float, int]:
        from strategies import extract_runs

        examples, seconds = _hypothesis_examples(extract_runs(realistic=realistic), n)
        return examples, seconds, 0

    return make


def _ours_sample(realistic: bool) -> Callable[[int], tuple[list[Any], float, int]]:
    def make(n: int) -> tuple[list[Any], float, int]:
        from strategies import sample

        start = time.process_time()
        examples = sample("run", seed=n, count=n, realistic=realistic)
        return examples, time.process_time() - start, 0

    return make


HJS_VARIANTS = ("as committed", "without $id", "without $id, uuid format supplied")


def _hjs(variant: str) -> Callable[[int], tuple[list[Any], float, int]]:
    """Raw ``from_schema`` on the committed schema; its ``$id`` (a URN) makes its resolver
    treat ``#/$defs/...`` as remote, so the second variant drops it, and the third also passes
    ``custom_formats`` for ``uuid``, which it otherwise ignores."""

    def make(n: int) -> tuple[list[Any], float, int]:
        from hypothesis import strategies as st
        from hypothesis_jsonschema import from_schema

        schema = contracts.json_schema("ExtractRun")
        formats = None
        if variant != HJS_VARIANTS[0]:
            schema.pop("$id")
        if variant == HJS_VARIANTS[2]:
            formats = {"uuid": st.uuids().map(str)}
        examples, seconds = _hypothesis_examples(from_schema(schema, custom_formats=formats), n)
        return examples, seconds, 0

    return make


def _polyfactory(helped: bool) -> Callable[[int], tuple[list[Any], float, int]]:
    def make(n: int) -> tuple[list[Any], float, int]:
        import datetime as dt
        import uuid

        from polyfactory import Use
        from polyfactory.factories.pydantic_factory import ModelFactory

        def now() -> str:
            return dt.datetime.now(dt.timezone.utc).isoformat().replace("+00:00", "Z")

        def new_id() -> str:
            return str(uuid.uuid4())

        attrs: dict[str, Any] = {"__model__": contracts.ExtractRun}
        if helped:
            config = type("ConfigFactory", (ModelFactory,), {"__model__": contracts.ExtractConfig})
            attrs.update(
                {
                    name: Use(new_id)
                    for name in ("id", "extraction_agent_id", "project_id", "file_id", "job_id")
                }
            )
            attrs.update({name: Use(now) for name in ("created_at", "updated_at")})
            attrs.update(
                config=Use(config.build),
                data_schema=Use(lambda: {"type": "object"}),
                data=Use(lambda: None),
                extraction_metadata=Use(lambda: None),
                file=Use(lambda: None),
            )
        factory: Any = type("RunFactory", (ModelFactory,), attrs)
        examples, failed = [], 0
        start = time.process_time()
        for _ in range(n):
            try:
                examples.append(factory.build())
            except Exception:
                failed += 1
        seconds = time.process_time() - start
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dumped = [e.model_dump(mode="json", exclude_unset=True) for e in examples]
        return dumped, seconds, failed

    return make


def _median(results: list[Result]) -> Result:
    best = dict(results[0])
    best["rate"] = statistics.median(r["rate"] for r in results)
    best["validity"] = min(r["validity"] for r in results)
    best["n"] = sum(r["n"] for r in results)
    return best


def _run(make: Callable[[int], tuple[list[Any], float, int]], n: int, repeats: int) -> Result:
    try:
        return _median([_measure(make, n) for _ in range(repeats)])
    except Exception as exc:
        return {"error": f"{type(exc).__name__}: {str(exc)[:80]}"}


def _worker(n: int, repeats: int) -> None:
    """Run in the throw-away venv: raw hypothesis-jsonschema, printed as one JSON line."""
    import hypothesis

    results = {variant: _run(_hjs(variant), n, repeats) for variant in HJS_VARIANTS}
    print(json.dumps({"hypothesis": hypothesis.__version__, "variants": results}))


def _hjs_venv(python: str | None) -> tuple[str | None, str]:
    if python:
        return python, "given"
    exe = HJS_VENV / "bin" / "python"
    ready = HJS_VENV / ".ready"
    if not ready.exists():
        try:
            if not exe.exists():
                subprocess.run([sys.executable, "-m", "venv", str(HJS_VENV)], check=True)
            # this project with its own dependencies, beside the pinned pair
            install = [str(exe), "-m", "pip", "install", "-q", *HJS_PINS, "-e", str(ROOT)]
            subprocess.run(install, check=True, capture_output=True)
            ready.write_text("ok\n")
        except (OSError, subprocess.CalledProcessError) as exc:
            return None, f"cannot build {HJS_VENV}: {exc}"
    return str(exe), "built"


def _hjs_in_venv(python: str | None, n: int, repeats: int) -> Result:
    exe, how = _hjs_venv(python)
    if exe is None:
        return {"error": how, "variants": {}}
    done = subprocess.run(
        [exe, __file__, "--worker", "--hjs-n", str(n), "--repeats", str(repeats)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        return {"error": f"worker failed: {done.stderr.strip().splitlines()[-1:]}", "variants": {}}
    result: Result = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _row(name: str, result: Result, base: float | None) -> str:
    if "error" in result:
        return f"| {name} | - | - | - | fails: {result['error']} |"
    ratio = f"{result['rate'] / base:.0f}x" if base else "-"
    return (
        f"| {name} | {result['n']} | {result['validity']:.0%} | {result['rate']:,.0f} | {ratio} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="examples per Hypothesis measurement")
    parser.add_argument("--hjs-n", type=int, default=60, help="examples for hypothesis-jsonschema")
    parser.add_argument("--sample-n", type=int, default=10_000, help="runs per sample() call")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--hjs-python", help="a Python with hypothesis-jsonschema that works")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(args.hjs_n, args.repeats)
        return

    import hypothesis

    print(f"python {sys.version.split()[0]}, hypothesis {hypothesis.__version__}", flush=True)
    hjs = _hjs_in_venv(args.hjs_python, args.hjs_n, args.repeats)
    old = hjs.get("hypothesis", "?")
    rows: list[tuple[str, Result]] = [
        ("ours: extract_runs(realistic=True)", _run(_ours_hypothesis(True), args.n, args.repeats)),
        ("ours: extract_runs() schema-wide", _run(_ours_hypothesis(False), args.n, args.repeats)),
        ("ours: sample() realistic", _run(_ours_sample(True), args.sample_n, args.repeats)),
        ("ours: sample() schema-wide", _run(_ours_sample(False), args.sample_n, args.repeats)),
    ]
    if "error" in hjs:
        rows.append((f"raw hypothesis-jsonschema (hypothesis {old})", hjs))
    for variant, result in hjs["variants"].items():
        rows.append((f"hypothesis-jsonschema, hypothesis {old}: {variant}", result))
    rows.append(
        (
            f"hypothesis-jsonschema, hypothesis {hypothesis.__version__}: without $id",
            _run(_hjs(HJS_VARIANTS[1]), 5, 1),
        )
    )
    rows += [
        ("polyfactory ModelFactory, as is", _run(_polyfactory(False), args.n, args.repeats)),
        (
            "polyfactory + 12 hand-written field providers",
            _run(_polyfactory(True), args.n, args.repeats),
        ),
    ]
    rates = [r.get("rate", 0.0) for r in hjs["variants"].values() if "error" not in r]
    base = max(rates) if rates and max(rates) > 0 else None
    print()
    print("Baseline for the ratio: the best valid runs/s of hypothesis-jsonschema above.")
    print()
    print("| generator | examples | valid | valid runs/s (median) | vs hypothesis-jsonschema |")
    print("|---|---|---|---|---|")
    for name, result in rows:
        print(_row(name, result, base))


if __name__ == "__main__":
    main()
