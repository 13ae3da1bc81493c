"""Your agent's shape everywhere runs are made: ``RunStore.seeded`` and ``StatelessRuns`` carry
the ``data_schema`` and ``config`` given (all agents, or agent by agent), a ``SUCCESS`` run's
data follows the schema, and a schema the generator cannot honour is a clear error."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from contracts import validate
from mocks import Handler, InvalidShape, Request, RunStore, StatelessRuns
from mocks._core.shapes import DEFAULT_TARGET, Shapes

INVOICE: dict[str, Any] = {
    "title": "Invoice",
    "type": "object",
    "properties": {
        "invoice_number": {"type": "string", "pattern": "^INV-[0-9]{4}$"},
        "issued_on": {"type": "string", "format": "date"},
        "total": {"type": "number", "minimum": 0},
        "currency": {"enum": ["EUR", "USD"]},
    },
    "required": ["invoice_number", "total"],
}
PER_PAGE = {"extraction_target": "PER_PAGE", "extraction_mode": "BALANCED"}
AGENT_A = "3f1c2a9e-5b7d-4c8e-9a1f-2b3c4d5e6f70"
AGENT_B = "0b3c9a52-5f0e-4d8c-9a4e-2f7c1d6e8b90"
BASE = "/api/v1/extraction/runs"


def _valid(schema: dict[str, Any], value: Any) -> None:
    errors = list(
        Draft202012Validator(
            schema, format_checker=Draft202012Validator.FORMAT_CHECKER
        ).iter_errors(value)
    )
    assert errors == [], (value, [e.message for e in errors])


def _rows(run: dict[str, Any]) -> list[dict[str, Any]]:
    """The extracted objects of a SUCCESS run: its data, or each item of it per page/row."""
    target = run["config"].get("extraction_target") or DEFAULT_TARGET
    if target == "PER_DOC":
        assert isinstance(run["data"], dict), run["data"]
        return [run["data"]]
    assert isinstance(run["data"], list), run["data"]
    assert run["data"], run
    return run["data"]


# ---------------------------------------------------------------- the invoice of the issue


def test_every_run_of_a_seeded_store_carries_the_schema_and_its_data_follows_it() -> None:
    store = RunStore.seeded(seed=4, runs=60, data_schema=INVOICE)
    runs = store.runs()
    assert {json.dumps(run["data_schema"]) for run in runs} == {json.dumps(INVOICE)}
    # a schema given alone comes with a realistic config whose target is the API's default
    assert {run["config"]["extraction_target"] for run in runs} == {"PER_DOC"}
    assert len({json.dumps(run["config"]) for run in runs}) == 3  # one per agent
    successes = [run for run in runs if run["status"] == "SUCCESS"]
    assert successes
    for run in successes:
        assert validate(run, "run") == []
        _valid(INVOICE, run["data"])
        assert re.fullmatch(r"INV-[0-9]{4}", run["data"]["invoice_number"])


def test_a_config_makes_per_page_data_a_list_of_invoices() -> None:
    store = RunStore.seeded(seed=4, runs=40, data_schema=INVOICE, config=PER_PAGE)
    for run in store.runs():
        assert run["config"] == PER_PAGE  # carried as given
        if run["status"] == "SUCCESS":
            for row in _rows(run):
                _valid(INVOICE, row)


def test_a_config_alone_keeps_the_realistic_schemas() -> None:
    runs = RunStore.seeded(seed=2, runs=9, config={"priority": "high"}).runs()
    assert {json.dumps(run["config"]) for run in runs} == {'{"priority": "high"}'}
    assert len({json.dumps(run["data_schema"]) for run in runs}) > 1


def test_agent_by_agent_each_agent_has_its_own_shape_and_the_rest_comes_from_beside() -> None:
    other: dict[str, Any] = {"type": "object", "properties": {"name": {"type": "string"}}}
    store = RunStore.seeded(
        seed=1,
        runs=30,
        agents={AGENT_A.upper(): {"config": PER_PAGE}, AGENT_B: {"data_schema": other}},
        data_schema=INVOICE,
    )
    assert store.agents() == [AGENT_A, AGENT_B]  # your agents, in the order given
    for run in store.runs(AGENT_A):
        assert run["data_schema"] == INVOICE
        assert run["config"] == PER_PAGE
    for run in store.runs(AGENT_B):
        assert run["data_schema"] == other
        assert run["config"]["extraction_target"] == "PER_DOC"
    assert store.count(AGENT_A) == store.count(AGENT_B) == 15


def test_no_shape_is_the_seeded_store_as_it_always_was() -> None:
    plain = RunStore.seeded(seed=8, runs=12)
    named = RunStore.seeded(seed=8, runs=12, agents=dict.fromkeys(plain.agents()))
    assert named.runs() == plain.runs()
    assert RunStore.seeded(seed=8, runs=12, data_schema=None, config=None).runs() == plain.runs()


def test_a_shape_is_copied_when_given() -> None:
    schema = json.loads(json.dumps(INVOICE))
    store = RunStore.seeded(seed=1, runs=3, agents=1, data_schema=schema)
    schema["properties"].clear()
    assert store.runs()[0]["data_schema"] == INVOICE


def test_stateless_runs_carry_the_shape_and_belong_to_your_agents() -> None:
    runs = StatelessRuns(
        seed=3, data_schema=INVOICE, agents={AGENT_A: {}, AGENT_B: {"config": PER_PAGE}}
    )
    handler = Handler(runs)
    owners = set()
    for n in range(40):
        run_id = f"0b6f1f0e-8f5e-4c53-9a43-{n:012d}"
        answer = handler.handle(Request("GET", f"{BASE}/{run_id}", ()))
        run = json.loads(answer.body)
        assert answer.status == 200
        assert validate(run, "run") == []
        owners.add(run["extraction_agent_id"])
        assert run["data_schema"] == INVOICE
        if run["extraction_agent_id"] == AGENT_B:
            assert run["config"] == PER_PAGE
        else:
            assert run["config"]["extraction_target"] == "PER_DOC"
        if run["status"] == "SUCCESS":
            for row in _rows(run):
                _valid(INVOICE, row)
        assert answer.body == runs._make_body(run_id, None, None)  # the cache changes nothing
    assert owners == {AGENT_A, AGENT_B}
    page = json.loads(
        handler.handle(Request("GET", BASE, (("extraction_agent_id", AGENT_B),))).body
    )
    assert page["items"]
    assert all(item["config"] == PER_PAGE for item in page["items"])


def test_a_store_copy_is_its_own() -> None:
    store = RunStore.seeded(seed=1, runs=6)
    copy = store.copy()
    first = store.ids()[0]
    assert copy.delete(first)
    assert first in store
    assert first not in copy
    assert copy.agents() == store.agents()
    assert copy.runs() == [run for run in store.runs() if run["id"] != first]


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("arguments", "where", "text"),
    [
        ({"data_schema": [1]}, "data_schema", "must be a JSON Schema object (a dict), got list"),
        (
            {"data_schema": {"type": "object", "properties": {"x": {"not": {}}}}},
            "data_schema",
            "cannot generate values for the JSON Schema keyword 'not' at $/properties/x",
        ),
        ({"data_schema": {"type": "string"}}, "data_schema", "must describe a JSON object"),
        ({"data_schema": {"type": "object", "x": float("nan")}}, "data_schema", "is not JSON"),
        ({"config": "PER_DOC"}, "config", "must be a dict, got str"),
        (
            {"config": {"extraction_target": "PER_BOOK"}},
            "config",
            "breaks the contract's ExtractConfig: $.extraction_target: 'PER_BOOK' is not one",
        ),
        ({"agents": {}}, "agents", "names no agent"),
        ({"agents": [AGENT_A]}, "agents", "must be a mapping of agent ids"),
        ({"agents": {"agent-1": {}}}, "agents['agent-1']", "is not an agent id (a UUID)"),
        ({"agents": {AGENT_A: {"schema": {}}}}, f"agents['{AGENT_A}']", "got the key 'schema'"),
        (
            {"agents": {AGENT_A: {}, AGENT_A.upper(): {}}},
            f"agents['{AGENT_A.upper()}']",
            "is named twice",
        ),
        (
            {"agents": {AGENT_A: {"data_schema": {"type": "object", "not": {}}}}},
            f"agents['{AGENT_A}'].data_schema",
            "keyword 'not'",
        ),
    ],
)
def test_a_shape_the_mock_cannot_make_runs_of_is_a_value_error_naming_it(
    arguments: dict[str, Any], where: str, text: str
) -> None:
    with pytest.raises(InvalidShape) as caught:
        Shapes.read(**arguments)
    assert isinstance(caught.value, ValueError)
    message = str(caught.value)
    assert message.startswith(f"{where}: "), message
    assert text in message, message
    assert "\n" not in message
    if "keyword" in text:
        assert caught.value.keyword == "not"


def test_the_makers_of_runs_raise_it_too() -> None:
    bad: dict[str, Any] = {"type": "object", "properties": {"x": {"not": {}}}}
    with pytest.raises(InvalidShape, match=r"^data_schema: .*keyword 'not'"):
        RunStore.seeded(data_schema=bad)
    with pytest.raises(InvalidShape, match=r"^data_schema: .*keyword 'not'"):
        StatelessRuns(data_schema=bad)
    with pytest.raises(ValueError, match="agents must be >= 1"):
        RunStore.seeded(agents=0)


# ---------------------------------------------------------------- a family of schemas

_NAMES = st.from_regex(r"[a-z][a-z_]{0,9}", fullmatch=True)
_LEAVES = st.one_of(
    st.just({"type": "boolean"}),
    st.just({"type": "string"}),
    st.sampled_from(
        [
            {"type": "string", "pattern": "^INV-[0-9]{4}$"},
            {"type": "string", "pattern": "^[A-Z]{2}[0-9]{2,5}$"},
            {"type": "string", "minLength": 3, "maxLength": 8},
        ]
    ),
    st.sampled_from(["date", "date-time", "time", "uuid", "email", "uri", "ipv4", "duration"]).map(
        lambda fmt: {"type": "string", "format": fmt}
    ),
    st.tuples(st.integers(-1000, 1000), st.integers(0, 1000)).map(
        lambda t: {"type": "number", "minimum": t[0], "maximum": t[0] + t[1]}
    ),
    st.integers(1, 20).map(lambda n: {"type": "integer", "multipleOf": n, "minimum": 0}),
    st.lists(st.text("abcxyz", min_size=1, max_size=5), min_size=1, max_size=4, unique=True).map(
        lambda values: {"enum": values}
    ),
    st.just({"anyOf": [{"type": "string"}, {"type": "null"}]}),
)


def _object(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required}


def _objects(children: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(_NAMES, children, min_size=1, max_size=5).flatmap(
        lambda props: st.lists(st.sampled_from(sorted(props)), unique=True).map(
            lambda required: _object(props, required)
        )
    )


_VALUES = st.recursive(
    _LEAVES,
    lambda children: st.one_of(
        _objects(children),
        st.tuples(children, st.integers(0, 2), st.integers(0, 3)).map(
            lambda t: {"type": "array", "items": t[0], "minItems": t[1], "maxItems": t[1] + t[2]}
        ),
    ),
    max_leaves=8,
)
SCHEMAS = _objects(_VALUES)
TARGETS = st.sampled_from([None, "PER_DOC", "PER_PAGE", "PER_TABLE_ROW"])


@settings(max_examples=40, deadline=None)
@given(schema=SCHEMAS, target=TARGETS, seed=st.integers(0, 2**32))
def test_every_success_run_of_a_schema_family_follows_its_schema(
    schema: dict[str, Any], target: str | None, seed: int
) -> None:
    config = None if target is None else {"extraction_target": target}
    # a quarter of the runs made succeed: with 64 of them, none does once in ~10^8 seeds (with
    # 20, once in ~300: a seed Hypothesis drew failed this test's guard against judging nothing)
    store = RunStore.seeded(seed=seed, runs=48, agents=2, data_schema=schema, config=config)
    stateless = StatelessRuns(seed=seed, data_schema=schema, config=config)
    made = store.runs() + [stateless.run(f"0b6f1f0e-8f5e-4c53-9a43-{n:012d}") for n in range(16)]
    successes = [run for run in made if run["status"] == "SUCCESS"]
    assert successes
    for run in successes:
        assert run["data_schema"] == schema
        for row in _rows(run):
            _valid(schema, row)
