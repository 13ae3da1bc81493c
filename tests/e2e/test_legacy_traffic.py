"""The older client line (llama-cloud 0.1.46) through ``proxy --record`` and through a
validating transport (its ``httpx_client=``), in its own environment (see
``test_legacy_client.py``): the planted 500 is found, the 404 text differs in ``drift``, and no
secret reaches the recording."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from mocks import RunStore
from mocks._traffic.drift import drift

from ..traffic.conftest import proxy, stand_in
from .test_legacy_client import SCENARIO, legacy_python

TOKEN = "legacy-token-0a1b2c3d4e5f"


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    store = RunStore.seeded(seed=43, runs=6, agents=1)
    ids = store.ids()
    record = tmp_path_factory.mktemp("legacy-recording")
    plants = ("not_found_detail", "error_500")
    with (
        stand_in(store, plants, failing_run=ids[2]) as upstream,
        proxy(upstream, record=record) as proxied,
    ):
        command = [
            str(legacy_python()),
            str(SCENARIO),
            "--through",
            proxied.url,
            store.agents()[0],
            TOKEN,
            *ids,
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return {
            "report": json.loads(done.stdout),
            "violations": [(v.check, v.json_path) for v in proxied.app.log.violations],
            "record": record,
            "ids": ids,
        }


def test_the_old_client_works_through_the_proxy(outcome: dict[str, Any]) -> None:
    report, ids = outcome["report"], outcome["ids"]
    assert report["sync"]["page"] == [6, ids[:3]]
    assert report["async"]["page"] == [6, ids[:3]]
    assert report["sync"]["get"] == ids[0]
    assert report["sync"]["failing"] == {"status": 500, "body": {"detail": "Internal Server Error"}}
    assert report["sync"]["missing"] == {"status": 404, "body": {"detail": "Run not found."}}


def test_the_proxy_finds_the_planted_500(outcome: dict[str, Any]) -> None:
    assert outcome["violations"] == [("status_code_conformance", "$")]


def test_the_validating_transport_through_httpx_client(outcome: dict[str, Any]) -> None:
    transport = outcome["report"]["transport"]
    assert transport["calls"] == outcome["report"]["sync"]
    assert transport["violations"] == [["status_code_conformance", "$"]]


def test_drift_finds_the_404_text_and_no_secret_is_recorded(outcome: dict[str, Any]) -> None:
    record: Path = outcome["record"]
    report = drift(record)
    aspects = {(r.exchange.operation, d.aspect) for r in report.drifted for d in r.differences}
    assert ("get_run", "body.detail") in aspects
    assert ("get_run", "status") in aspects  # the 500, replayed: the mock answers 200
    assert all(TOKEN not in path.read_text() for path in record.iterdir())
    assert len(list(record.iterdir())) == 5
