"""``strategies.sample``: deterministic seeded generation for the mocks and the fixtures."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import pytest

import contracts
from strategies import BadArgument, UnsupportedSchema, sample

from .judges import assert_coherent_run, assert_valid_everywhere, data_validator

KINDS = ["run", "config", "file", "page"]
RUN_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
AGENT = "6f1c1a3e-2b1d-4f7e-9a55-0c2f3b4d5e6f"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("realistic", [True, False])
def test_every_sample_is_valid_everywhere(kind: str, realistic: bool) -> None:
    for payload in sample(kind, seed=11, count=120 if kind != "page" else 15, realistic=realistic):
        assert_valid_everywhere(payload, kind)


@pytest.mark.parametrize("kind", KINDS)
def test_same_arguments_same_bytes(kind: str) -> None:
    first = json.dumps(sample(kind, seed=5, count=20))
    assert json.dumps(sample(kind, seed=5, count=20)) == first
    assert json.dumps(sample(kind, seed=6, count=20)) != first


def test_same_bytes_in_another_process() -> None:
    """No str hash, no global random state: a fresh interpreter (other hash seed) agrees."""
    code = (
        "import json, strategies; "
        "print(json.dumps([strategies.sample(k, seed=9, count=5, realistic=r) "
        "for k in ('run', 'config', 'file', 'page') for r in (True, False)]))"
    )
    here = json.dumps(
        [sample(k, seed=9, count=5, realistic=r) for k in KINDS for r in (True, False)]
    )
    for hash_seed in ("1", "2"):
        out = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": hash_seed, "PATH": ""},
        )
        assert out.stdout.strip() == here


def test_global_random_state_is_left_alone() -> None:
    import random

    random.seed(1)
    expected = random.random()
    random.seed(1)
    sample("run", seed=3, count=50)
    assert random.random() == expected


def test_json_ready_values() -> None:
    def walk(value: object) -> None:
        if isinstance(value, dict):
            assert all(isinstance(k, str) for k in value)
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        else:
            assert value is None or type(value) in (str, int, float, bool)

    for kind in KINDS:
        for realistic in (True, False):
            walk(sample(kind, seed=2, count=30, realistic=realistic))


def test_uuids_lower_case_and_times_in_utc() -> None:
    for run in sample("run", seed=4, count=200) + sample("run", seed=4, count=50, realistic=False):
        for name in ("id", "extraction_agent_id", "project_id", "file_id", "job_id"):
            value = run.get(name)
            if value is not None:
                assert contracts.is_uuid(value)
                assert value == value.lower()
        for name in ("created_at", "updated_at"):
            if run.get(name) is not None:
                assert run[name].endswith("Z")


def test_realistic_runs_are_coherent() -> None:
    runs = [run for seed in range(8) for run in sample("run", seed=seed, count=50)]
    for run in runs:
        assert_coherent_run(run)
    statuses = Counter(run["status"] for run in runs)
    assert set(statuses) == {s.value for s in contracts.ExtractRunStatus}
    targets = Counter(run["config"]["extraction_target"] for run in runs)
    assert set(targets) == {t.value for t in contracts.ExtractTarget}


def test_many_runs_share_a_few_agents_of_one_project() -> None:
    runs = sample("run", seed=1, count=200)
    agents = Counter(run["extraction_agent_id"] for run in runs)
    assert 2 <= len(agents) <= 5
    assert len({run["project_id"] for run in runs}) == 1
    by_agent = {}
    for run in runs:
        by_agent.setdefault(run["extraction_agent_id"], set()).add(json.dumps(run["data_schema"]))
    assert all(len(schemas) == 1 for schemas in by_agent.values())
    assert len({run["job_id"] for run in runs}) == 200
    assert len({run["id"] for run in runs}) == 200


def test_realistic_page_is_one_agents_and_adds_up() -> None:
    for page in sample("page", seed=3, count=40):
        items, total, skip, limit = page["items"], page["total"], page["skip"], page["limit"]
        assert len(items) == max(0, min(limit, total - skip))
        assert len({item["extraction_agent_id"] for item in items}) <= 1
        for item in items:
            assert_coherent_run(item)


def test_overrides_fix_fields_and_coherence_follows() -> None:
    runs = sample("run", seed=7, count=30, status="ERROR", extraction_agent_id=AGENT)
    assert {r["status"] for r in runs} == {"ERROR"}
    assert {r["extraction_agent_id"] for r in runs} == {AGENT}
    assert all(r["error"] and r["data"] is None for r in runs)
    [run] = sample("run", seed=7, id=RUN_ID, job_id=RUN_ID)
    assert run["id"] == run["job_id"] == RUN_ID
    assert_valid_everywhere(run, "run")


def test_overridden_values_are_copies() -> None:
    config = {"extraction_target": "PER_PAGE", "extraction_mode": "FAST"}
    runs = sample("run", seed=1, count=3, config=config, status="SUCCESS")
    runs[0]["config"]["extraction_mode"] = "PREMIUM"
    assert config["extraction_mode"] == "FAST"
    assert runs[1]["config"]["extraction_mode"] == "FAST"
    assert all(isinstance(r["data"], list) for r in runs)


def test_created_at_before_a_fixed_updated_at() -> None:
    for run in sample("run", seed=2, count=20, updated_at="2025-01-01T00:00:00Z", status="SUCCESS"):
        assert run["created_at"] < "2025-01-01T00:00:00Z"
        assert_coherent_run(run)


@pytest.mark.parametrize("realistic", [True, False])
def test_data_follows_the_users_schema(realistic: bool) -> None:
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 3, "maxLength": 5},
            "when": {"type": "string", "format": "date"},
            "score": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
            "tags": {"type": "array", "items": {"enum": ["a", "b"]}, "minItems": 1},
            "kind": {"const": "receipt"},
            "n": {"type": ["integer", "null"], "minimum": -3, "maximum": 3},
        },
        "required": ["name", "score", "tags", "kind"],
        "additionalProperties": False,
    }
    runs = sample("run", seed=3, count=60, realistic=realistic, data_schema=schema)
    validator = data_validator(schema)
    seen = 0
    for run in runs:
        assert run["data_schema"] == schema
        assert_valid_everywhere(run, "run")
        if run["data"] is not None:
            for obj in run["data"] if isinstance(run["data"], list) else [run["data"]]:
                assert list(validator.iter_errors(obj)) == []
                seen += 1
    assert seen > 5


def test_unsupported_keyword_is_named() -> None:
    schema = {"type": "object", "properties": {"code": {"type": "string", "not": {"const": "x"}}}}
    with pytest.raises(UnsupportedSchema, match="'not'") as raised:
        sample("run", seed=1, data_schema=schema)
    assert (raised.value.keyword, raised.value.where) == ("not", "$/properties/code")


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("runs",), {"seed": 1}, "kind='runs'"),
        (("run",), {"seed": "1"}, "seed='1'"),
        (("run",), {"seed": 1, "count": -1}, "count=-1"),
        (("run",), {"seed": 1, "realistic": 1}, "realistic=1"),
        (("run",), {"seed": 1, "statuss": "ERROR"}, "no field 'statuss'"),
        (("run",), {"seed": 1, "id": "not-a-uuid"}, "id='not-a-uuid'"),
        (("run",), {"seed": 1, "status": "DONE"}, r"\$\.status"),
        (("run",), {"seed": 1, "data_schema": {"type": "string"}}, "must describe a JSON object"),
    ],
)
def test_bad_arguments(args: tuple, kwargs: dict, message: str) -> None:
    with pytest.raises(BadArgument, match=message):
        sample(*args, **kwargs)


def test_count_zero_is_empty() -> None:
    assert sample("run", seed=1, count=0) == []


def test_a_pages_runs_follow_the_users_schema() -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    validator = data_validator(schema)
    for page in sample("page", seed=4, count=10, data_schema=schema):
        assert_valid_everywhere(page, "page")
        for run in page["items"]:
            assert run["data_schema"] == schema
            rows = run["data"] if isinstance(run["data"], list) else [run["data"]]
            for row in rows if run["data"] is not None else []:
                assert list(validator.iter_errors(row)) == []
