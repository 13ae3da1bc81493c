"""A recording is a corpus the mock serves: ``RunStore.from_recording``, ``serve --data DIR``
and the marker's ``recording=`` load every run seen in it; the last sighting wins; a run seen
deleted is absent; a run that breaks the contract is named with its file and field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from contracts.traffic import Recorder
from mocks import InvalidMockArgument, LoadError, RunStore, live_server, mock_api
from mocks._cli import main

from ..contracts.recorded import record_exchange
from .runs import OTHER_AGENT, make_run, uid

API = "/api/v1/extraction/runs"
JSON = [("content-type", "application/json")]


def _record(recorder: Recorder, path: str, body: Any, **given: Any) -> None:
    record_exchange(recorder, path, given.pop("status", 200), body, **given)


@pytest.fixture
def recording(tmp_path: Path) -> Path:
    recorder = Recorder(tmp_path / "rec")
    page = {
        "items": [make_run(1, status="PENDING", data=None), make_run(2)],
        "total": 2,
        "skip": 0,
        "limit": 50,
    }
    _record(
        recorder, API, page, query=[("extraction_agent_id", make_run(1)["extraction_agent_id"])]
    )
    _record(recorder, f"{API}/{uid(1)}", make_run(1))  # seen again, later: this one wins
    _record(recorder, f"{API}/{uid(2)}", {}, method="DELETE")  # seen deleted: absent
    _record(recorder, f"{API}/by-job/{uid(3, space=1)}", make_run(3, agent=OTHER_AGENT))
    _record(recorder, f"{API}/{uid(9)}", {"detail": "Extraction run not found"}, status=404)
    return tmp_path / "rec"


def test_from_recording(recording: Path) -> None:
    store = RunStore.from_recording(recording)
    assert sorted(store.ids()) == sorted([uid(1), uid(3)])
    assert store.get(uid(1)) == make_run(1)
    assert store.agents() == sorted([make_run(1)["extraction_agent_id"], OTHER_AGENT])


def test_a_run_that_breaks_the_contract_names_its_file_and_field(recording: Path) -> None:
    _record(Recorder(recording), f"{API}/{uid(4)}", make_run(4, status="CANCELLED"))
    with pytest.raises(LoadError) as info:
        RunStore.from_recording(recording)
    assert info.value.source == str(recording / "000006-get_run.json")
    assert info.value.field == "$.status"
    assert str(info.value).startswith(f"{recording / '000006-get_run.json'}: run {uid(4)} breaks")


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda d: d / "missing", "no such directory"),
        (lambda d: d, "no recorded exchange in it"),
    ],
)
def test_what_is_not_a_recording(tmp_path: Path, make: Any, reason: str) -> None:
    with pytest.raises(LoadError, match=reason):
        RunStore.from_recording(make(tmp_path))


def test_serve_data_dir(recording: Path) -> None:
    with live_server(data=recording, log_level="error") as served:
        assert httpx.get(f"{served.url}{API}/{uid(1)}").json() == make_run(1)
        assert httpx.get(f"{served.url}{API}/{uid(2)}").status_code == 404


def test_serve_data_dir_with_a_bad_run_is_one_line_exit_2(
    recording: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _record(Recorder(recording), f"{API}/{uid(4)}", make_run(4, status="CANCELLED"))
    assert main(["serve", "--data", str(recording), "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        f"extract-contract serve: error: --data {recording / '000006-get_run.json'}: "
    )
    assert "$.status" in err
    assert len(err.splitlines()) == 1


def test_the_marker_recording_argument(recording: Path) -> None:
    with mock_api(recording=recording) as mock:
        assert sorted(mock.store.ids()) == sorted([uid(1), uid(3)])
        assert httpx.get(f"{mock.base_url}{API}/{uid(3)}").json()["id"] == uid(3)
    for kwargs, message in [
        ({"recording": recording, "runs": 5}, "recording: not with runs="),
        ({"recording": recording, "mode": "stateless"}, "recording: only with mode='stateful'"),
        ({"recording": recording, "data": []}, "recording: not with data="),
        ({"recording": recording, "data_schema": {}}, "recording: not with data_schema="),
        ({"recording": recording, "config": {}}, "recording: not with config="),
        ({"recording": recording, "agents": {}}, "recording: not with agents="),
        ({"recording": 5}, "recording must be a directory's path, got 5"),
        ({"recording": recording / "nope"}, "recording: .*nope: no such directory"),
    ]:
        with pytest.raises(InvalidMockArgument, match=message) as info:
            mock_api(**kwargs)
        assert info.value.argument == "recording"


def test_a_directory_given_as_data_is_a_recording(recording: Path) -> None:
    """``data=`` reads a directory as ``recording=`` does (the one reader: ``store_of``)."""
    with mock_api(data=recording) as mock:
        assert sorted(mock.store.ids()) == sorted([uid(1), uid(3)])
    with mock_api(data=str(recording)) as mock:
        assert mock.store.get(uid(1)) == make_run(1)
    _record(Recorder(recording), f"{API}/{uid(4)}", make_run(4, status="CANCELLED"))
    with pytest.raises(InvalidMockArgument, match=r"^data: .*000006-get_run\.json: run "):
        mock_api(data=recording)
