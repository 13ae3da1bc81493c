"""One reader of a fault from text or a mapping, used by the command line, the admin API and
the marker alike; its errors carry the kind and the option at fault."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mocks import Faults, FaultSpec, InvalidFault, RunStore, ServerOptions, mock_api
from mocks._adapters.admin import AdminAPI
from mocks._adapters.paths import ADMIN_PREFIX
from mocks._cli import build_parser
from mocks._cli._common import UsageError
from mocks._cli.serve import _faults as cli_faults
from mocks._core.faults import read_fault
from mocks._core.handler import Handler
from mocks._core.http import Request


def test_text_and_mapping_read_to_the_same_spec() -> None:
    text = read_fault("status:status=503,operation=get_run,times=3,detail=gone,seed=0")
    mapping = read_fault(
        {"kind": "status", "status": 503, "operation": "get_run", "times": 3, "detail": "gone"}
        | {"seed": 0}
    )
    assert (
        text
        == mapping
        == FaultSpec("status", "get_run", 3, None, 0, {"status": 503, "detail": "gone"})
    )


def test_values_in_text_are_read_as_numbers_null_booleans_or_text() -> None:
    spec = read_fault("status: status = 503 , detail=null")
    assert spec.options == {"status": 503, "detail": None}
    with pytest.raises(InvalidFault, match="body must be str, got True"):
        read_fault("not_json:body=true")  # read as a boolean, then refused
    assert read_fault("rate_limit:retry_after=0.5").options == {"retry_after": 0.5}
    assert read_fault("server_error:operation=list_runs").operation == "list_runs"


def test_a_mapping_may_name_several_operations() -> None:
    spec = read_fault({"kind": "server_error", "operation": ["get_run", "list_runs"]})
    assert spec.operation == ("get_run", "list_runs")
    fault = Faults().add_spec(spec)
    assert fault.operations == frozenset({"get_run", "list_runs"})


def test_an_absent_seed_stays_absent_and_zero_stays_zero() -> None:
    assert read_fault("server_error:rate=0.5").seed is None
    assert read_fault("server_error:rate=0.5,seed=0").seed == 0
    assert read_fault({"kind": "server_error", "seed": 0}).seed == 0


@pytest.mark.parametrize(
    ("given", "kind", "option", "message"),
    [
        ("nonsense", "nonsense", "kind", "unknown fault kind 'nonsense'; the kinds are: "),
        ("status:operation=get_run", "status", "status", "the option 'status' is required"),
        ("latency:seconds=1,operation=list_all", "latency", "operation", "'list_all'"),
        ("latency:seconds", "latency", None, "expected NAME=VALUE, got 'seconds'"),
        (":times=1", None, None, "expected KIND[:NAME=VALUE,...]"),
        ({"kind": "rate_limit", "times": 0}, "rate_limit", "times", "times must be >= 1"),
        ({"kind": "latency", "secs": 1}, "latency", "secs", "unknown option(s) secs"),
        ({"kind": "server_error", "seed": "x"}, "server_error", "seed", "seed must be a whole"),
        ({"times": 1}, None, "kind", "a fault needs a 'kind'"),
        (3, None, None, "expected a fault as text"),
    ],
)
def test_a_wrong_fault_carries_its_kind_and_option(
    given: Any, kind: str | None, option: str | None, message: str
) -> None:
    with pytest.raises(InvalidFault) as caught:
        read_fault(given)
    assert (caught.value.kind, caught.value.option) == (kind, option)
    assert message in str(caught.value)


_SPECS = st.builds(
    FaultSpec,
    kind=st.sampled_from(["server_error", "unavailable", "rate_limit"]),
    operation=st.none() | st.sampled_from(["get_run", ("list_runs", "delete_run")]),
    times=st.none() | st.integers(1, 5),
    rate=st.none() | st.sampled_from([0.25, 1]),
    seed=st.none() | st.integers(0, 9),
    options=st.sampled_from([{}, {"detail": "x"}]),
)


@given(_SPECS)
def test_a_spec_reads_back_from_its_mapping(spec: FaultSpec) -> None:
    assert read_fault(spec.as_mapping()) == spec
    assert read_fault(json.loads(json.dumps(spec.as_mapping()))) == spec


def test_server_options_carry_faults_through_json() -> None:
    options = ServerOptions(
        mode="stateless",
        faults=(FaultSpec("status", ("get_run",), 2, 0.5, 0, {"status": 418}),),
    )
    assert ServerOptions.from_json(options.to_json()) == options


# -- the three entry points read faults the same way -------------------------------------------


def _through_cli(text: str) -> list[str]:
    args = build_parser().parse_args(["serve", "--fault", text])
    faults = Faults()
    for spec in cli_faults(args):
        faults.add_spec(spec)
    return [repr(fault) for fault in faults]


def _through_admin(mapping: dict[str, Any]) -> tuple[int, Any]:
    handler = Handler(RunStore())
    admin = AdminAPI(handler, mode="stateful", reset=RunStore)
    posted = json.dumps(mapping).encode()
    answer = asyncio.run(admin(Request("POST", ADMIN_PREFIX + "/faults"), posted))
    body = json.loads(answer.body)
    if answer.status != 201:
        return answer.status, body["detail"]
    return answer.status, [repr(fault) for fault in handler.faults]


def _through_marker(given: str | dict[str, Any]) -> list[str]:
    return [repr(fault) for fault in mock_api(runs=0, faults=given).faults]


@pytest.mark.parametrize(
    ("text", "mapping"),
    [
        ("rate_limit:times=1,retry_after=2", {"kind": "rate_limit", "times": 1, "retry_after": 2}),
        (
            "status:status=418,operation=get_run",
            {"kind": "status", "status": 418, "operation": "get_run"},
        ),
        ("server_error:rate=0.25,seed=0", {"kind": "server_error", "rate": 0.25, "seed": 0}),
        ("truncated", {"kind": "truncated"}),
    ],
)
def test_the_cli_the_admin_api_and_the_marker_add_the_same_fault(
    text: str, mapping: dict[str, Any]
) -> None:
    expected = _through_cli(text)
    assert len(expected) == 1
    assert _through_admin(mapping) == (201, expected)
    assert _through_marker(mapping) == expected
    assert _through_marker(text) == expected  # the marker reads the text form too


@pytest.mark.parametrize(
    ("text", "mapping"),
    [
        ("latency:seconds=-1", {"kind": "latency", "seconds": -1}),
        ("explode", {"kind": "explode"}),
        ("server_error:operation=get_runs", {"kind": "server_error", "operation": "get_runs"}),
    ],
)
def test_the_three_entry_points_give_the_readers_error(text: str, mapping: dict[str, Any]) -> None:
    with pytest.raises(InvalidFault) as caught:
        read_fault(mapping)
    message = str(caught.value)
    with pytest.raises(UsageError) as cli:
        _through_cli(text)
    assert str(cli.value) == f"--fault {text}: {message}"  # the CLI names its own flag
    assert _through_admin(mapping) == (422, message)
    with pytest.raises(ValueError, match=r"^faults\[0\]: ") as marker:
        _through_marker(mapping)
    assert str(marker.value) == f"faults[0]: {message}"


def test_an_explicit_seed_zero_is_not_replaced_by_fault_seed() -> None:
    def seeds(*argv: str) -> list[int | None]:
        args = build_parser().parse_args(["serve", *argv, "--fault-seed", "7"])
        return [spec.seed for spec in cli_faults(args)]

    assert seeds("--fault", "server_error:rate=0.5,seed=0") == [0]
    assert seeds("--fault", "server_error:rate=0.5") == [7]
    assert seeds("--fault", "server_error:rate=0.5,seed=3") == [3]
    assert seeds("--error-rate", "0.5") == [7]


@pytest.mark.parametrize(
    "text", ["latency:seconds=nan", "latency:seconds=inf", "latency:seconds=1e9"]
)
def test_a_latency_that_is_not_a_finite_number_in_range_is_refused_everywhere(text: str) -> None:
    with pytest.raises(InvalidFault, match="seconds must be") as caught:
        read_fault(text)
    assert (caught.value.kind, caught.value.option) == ("latency", "seconds")
    seconds = float(text.rpartition("=")[2])
    with pytest.raises(InvalidFault, match="seconds must be"):
        Faults().add("latency", seconds=seconds)
    with pytest.raises(InvalidFault, match="seconds must be"):
        read_fault({"kind": "latency", "seconds": seconds})
    with pytest.raises(UsageError, match=f"--fault {text}: fault latency: seconds must be"):
        _through_cli(text)
    with pytest.raises(ValueError, match=r"^faults\[0\]: fault latency: seconds must be"):
        _through_marker(text)


_ADDED = st.builds(
    FaultSpec,
    kind=st.sampled_from(["server_error", "latency", "rate_limit", "truncated"]),
    operation=st.none() | st.sampled_from(["get_run", ("list_runs", "delete_run")]),
    times=st.none() | st.integers(1, 5),
    rate=st.none() | st.sampled_from([0.25, 1]),
    seed=st.none() | st.integers(0, 9),
).map(
    lambda spec: FaultSpec(
        spec.kind,
        spec.operation,
        spec.times,
        spec.rate,
        spec.seed,
        {"seconds": 0.5} if spec.kind == "latency" else {},
    )
)


@given(st.lists(_ADDED, max_size=4), st.integers(0, 3))
def test_an_added_fault_reads_back_from_its_mapping_as_it_stands(
    specs: list[FaultSpec], calls: int
) -> None:
    faults = Faults()
    for spec in specs:
        faults.add_spec(spec)
    for _ in range(calls):
        faults.pick("get_run")
    again = Faults()
    for fault in faults:
        again.add_spec(read_fault(json.loads(json.dumps(fault.as_mapping()))))
    described = [(f.name, f.operations, f.remaining, f.rate, f.seed, f.options) for f in faults]
    assert [(f.name, f.operations, f.remaining, f.rate, f.seed, f.options) for f in again] == (
        described
    )
