"""``mocks.mock_api``: the marker's arguments as a function, and the plugin's cheap import."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mocks import InvalidMockArgument, MockAPI, RunStore, StatelessRuns, mock_api
from mocks._plugin.marker import ARGUMENTS, MARKER_HELP, from_marker

RUNS = "https://api.cloud.llamaindex.ai/api/v1/extraction/runs"


def test_importing_the_plugin_imports_nothing_heavy() -> None:
    code = (
        "import sys, mocks._plugin;"
        "heavy = ('schemathesis', 'uvicorn', 'hypothesis', 'respx', 'httpx', 'pydantic');"
        "print(','.join(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_the_plugin_is_registered_as_a_pytest11_entry_point() -> None:
    (plugin,) = [ep for ep in entry_points(group="pytest11") if ep.name == "extract_contract"]
    assert plugin.value == "mocks._plugin"


def test_the_marker_help_names_every_argument() -> None:
    for name in ARGUMENTS:
        assert f"{name}=" in MARKER_HELP


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(-(2**63), 2**63), runs=st.integers(0, 12), agents=st.integers(1, 4))
def test_the_same_arguments_give_the_same_answers(seed: int, runs: int, agents: int) -> None:
    bodies = []
    for _ in range(2):
        with mock_api(seed=seed, runs=runs, agents=agents) as mock:
            assert mock.store.ids() == RunStore.seeded(seed=seed, runs=runs, agents=agents).ids()
            agent = RunStore.seeded(seed=seed, runs=1, agents=agents).agents()[0]
            bodies.append(httpx.get(RUNS, params={"extraction_agent_id": agent}).content)
    assert bodies[0] == bodies[1]


def test_defaults_and_options() -> None:
    mock = mock_api()
    assert isinstance(mock, MockAPI)
    assert isinstance(mock.store, RunStore)
    assert len(mock.store) == 100
    assert len(mock.store.agents()) == 3
    stateless = mock_api(mode="stateless", seed=4, base_url="http://gw.test/x/", token="t")
    assert isinstance(stateless.store, StatelessRuns)
    assert stateless.store.seed == 4
    assert stateless.base_url == "http://gw.test/x"
    with stateless:
        assert httpx.get("http://gw.test/x/api/v1/extraction/runs/a").status_code == 401
        wanted = httpx.get(
            "http://gw.test/x/api/v1/extraction/runs/0b6f1f0e-8f5e-4c53-9a43-8c2d1e6b7a90",
            headers={"Authorization": "Bearer t"},
        )
        assert wanted.status_code == 200
    assert len(mock_api(runs=9, jobs=2).store.runs()) == 9
    assert len({run["job_id"] for run in mock_api(runs=9, jobs=2).store.runs()}) == 2


@pytest.mark.parametrize(
    ("faults", "kinds"),
    [
        ("server_error", ["server_error"]),
        ({"kind": "latency", "seconds": 0}, ["latency"]),
        (["connect_error", {"kind": "status", "status": 418, "operation": "get_run"}], None),
        ((), []),
    ],
)
def test_faults_as_data(faults: object, kinds: list[str] | None) -> None:
    mock = mock_api(faults=faults)
    names = [fault.name for fault in mock.faults]
    assert names == (kinds if kinds is not None else ["connect_error", "status"])


def test_a_fault_from_arguments_fires() -> None:
    spec = [{"kind": "status", "status": 418, "operation": "get_run", "times": 1}]
    with mock_api(runs=2, faults=spec) as mock:
        url = f"{RUNS}/{mock.store.ids()[0]}"
        assert [httpx.get(url).status_code for _ in range(2)] == [418, 200]


def test_assert_all_mocked_is_respx_rule() -> None:
    with mock_api(runs=0), pytest.raises(AssertionError, match=r"RESPX: .* not mocked"):
        httpx.get("http://elsewhere.test/")
    with mock_api(runs=0, assert_all_mocked=False):
        assert httpx.get("http://elsewhere.test/").status_code == 200


def test_wrong_arguments_name_themselves() -> None:
    with pytest.raises(InvalidMockArgument, match=r"^runs must be a whole number, got '3'$"):
        mock_api(runs="3")  # type: ignore[arg-type]
    with pytest.raises(InvalidMockArgument, match=r"^jobs must be >= 1, got 0$"):
        mock_api(jobs=0)
    with pytest.raises(InvalidMockArgument, match=r"^assert_all_mocked must be True or False"):
        mock_api(assert_all_mocked=1)  # type: ignore[arg-type]
    with pytest.raises(InvalidMockArgument, match=r"^base_url must be a string, got 3$"):
        mock_api(base_url=3)  # type: ignore[arg-type]
    with pytest.raises(InvalidMockArgument, match=r"^faults\[1\]: fault rate_limit: rate must"):
        mock_api(faults=["server_error", {"kind": "rate_limit", "rate": 2}])
    with pytest.raises(TypeError, match="unexpected keyword argument 'sed'"):
        mock_api(sed=1)  # type: ignore[call-arg]
    assert issubclass(InvalidMockArgument, ValueError)


def test_from_marker_uses_the_session_seed_unless_the_marker_names_one() -> None:
    assert from_marker((), {}, seed=3).store.ids() == RunStore.seeded(seed=3).ids()
    assert from_marker((), {"seed": 4}, seed=3).store.ids() == RunStore.seeded(seed=4).ids()
    with pytest.raises(InvalidMockArgument, match=r"^unknown argument moed, sed; the arguments"):
        from_marker((), {"sed": 1, "moed": 2}, seed=0)
