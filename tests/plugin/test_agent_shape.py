"""A downstream suite with its own agent's shape: the marker's ``data_schema``/``config``/
``agents``, your runs through ``data=``, and ``ServerOptions`` for the live fixture, all read
through the official client (llama-cloud 1.6.0, strict validation)."""

from __future__ import annotations

import json

import pytest

from mocks import RunStore

from .bad_markers import assert_each_fails_setup_with_one_line

INVOICE = {
    "title": "Invoice",
    "type": "object",
    "properties": {
        "invoice_number": {"type": "string", "pattern": "^INV-[0-9]{4}$"},
        "total": {"type": "number", "minimum": 0},
    },
    "required": ["invoice_number", "total"],
}

DOWNSTREAM = """
import re

import pytest
from llama_cloud import LlamaCloud

from mocks import RunStore

INVOICE = %(invoice)s
AGENT = "3f1c2a9e-5b7d-4c8e-9a1f-2b3c4d5e6f70"


def client_for(url):
    return LlamaCloud(
        api_key="test", base_url=url, max_retries=0, _strict_response_validation=True
    ).extraction.runs


def successes(runs, agents):
    found = [run for agent in agents for run in runs.list(extraction_agent_id=agent, limit=7)]
    done = [run for run in found if run.status == "SUCCESS"]
    assert done, [run.status for run in found]
    return done


def is_invoice(data):
    assert re.fullmatch(r"INV-[0-9]{4}", data["invoice_number"]), data
    assert data["total"] >= 0


@pytest.mark.extract_mock(data_schema=INVOICE, runs=40)
def test_per_doc_data_is_one_invoice(extract_mock):
    for run in successes(client_for(extract_mock.base_url), extract_mock.store.agents()):
        assert run.data_schema == INVOICE
        assert run.config.extraction_target == "PER_DOC"
        is_invoice(run.data)


@pytest.mark.extract_mock(data_schema=INVOICE, config={"extraction_target": "PER_PAGE"}, runs=40)
def test_per_page_data_is_a_list_of_invoices(extract_mock):
    for run in successes(client_for(extract_mock.base_url), extract_mock.store.agents()):
        assert run.config.extraction_target == "PER_PAGE"
        assert isinstance(run.data, list) and run.data
        for page in run.data:
            is_invoice(page)


@pytest.mark.extract_mock(
    agents={AGENT: {"config": {"extraction_target": "PER_TABLE_ROW"}}}, data_schema=INVOICE
)
def test_agent_by_agent(extract_mock):
    assert extract_mock.store.agents() == [AGENT]
    for run in successes(client_for(extract_mock.base_url), [AGENT]):
        assert run.extraction_agent_id == AGENT
        for row in run.data:
            is_invoice(row)


@pytest.mark.extract_mock(mode="stateless", data_schema=INVOICE, agents={AGENT: {}})
def test_stateless_runs_are_your_agents_runs(extract_mock):
    runs = client_for(extract_mock.base_url)
    for run in successes(runs, [AGENT]):
        is_invoice(run.data)
        again = runs.get(run.id)
        assert again.extraction_agent_id == AGENT and again.data_schema == INVOICE


YOURS = RunStore.seeded(seed=9, runs=6, agents=1, data_schema=INVOICE)


@pytest.mark.extract_mock(data=YOURS)
def test_your_store_1(extract_mock):
    runs = client_for(extract_mock.base_url)
    first = YOURS.ids()[0]
    assert runs.get(first).id == first
    runs.delete(first)
    assert first not in extract_mock.store and first in YOURS  # the mock serves a copy


def test_your_store_2(extract_mock):  # the default mock: not yours
    assert extract_mock.store.ids() != YOURS.ids()


@pytest.mark.extract_mock(data=YOURS)
def test_your_store_3(extract_mock):
    assert extract_mock.store.ids() == YOURS.ids()  # each test starts from your runs again


@pytest.mark.extract_mock(data=YOURS.runs()[:2])
def test_your_list_of_runs(extract_mock):
    assert extract_mock.store.ids() == YOURS.ids()[:2]


@pytest.mark.extract_mock(data="runs.jsonl")
def test_your_file_of_runs(extract_mock):
    runs = client_for(extract_mock.base_url)
    assert [run.id for run in runs.list(extraction_agent_id=YOURS.agents()[0])] == YOURS.ids()


def test_the_live_fixture(extract_server):
    runs = client_for(extract_server.url)
    for run in successes(runs, extract_server.store.agents()):
        assert run.config.extraction_target == "PER_PAGE"
        for page in run.data:
            is_invoice(page)


def test_the_live_fixture_with_your_runs(extract_server_options):
    from mocks import live_server

    with live_server(extract_server_options, data=YOURS, data_schema=None, config=None) as served:
        assert client_for(served.url).get(YOURS.ids()[1]).data_schema == INVOICE
"""

CONFTEST = """
import pytest

from mocks import ServerOptions

INVOICE = %(invoice)s


@pytest.fixture(scope="session")
def extract_server_options(extract_seed):
    return ServerOptions(
        seed=extract_seed, runs=30, data_schema=INVOICE, config={"extraction_target": "PER_PAGE"}
    )
"""


def test_a_downstream_suite_reads_its_own_agents_data(pytester: pytest.Pytester) -> None:
    values = {"invoice": repr(INVOICE)}
    pytester.makepyfile(test_shape=DOWNSTREAM % values)
    pytester.makeconftest(CONFTEST % values)
    yours = RunStore.seeded(seed=9, runs=6, agents=1, data_schema=INVOICE)
    pytester.makefile(".jsonl", runs="\n".join(json.dumps(run) for run in yours.runs()))
    result = pytester.runpytest("-p", "no:cacheprovider", "--strict-markers", "-W", "error")
    result.assert_outcomes(passed=11)


BAD_MARKERS = {
    "data_schema={'type': 'object', 'not': {}}": (
        "data_schema: cannot generate values for the JSON Schema keyword 'not' at $;*"
    ),
    "data_schema=[]": "data_schema: must be a JSON Schema object (a dict), got list",
    "config={'priority': 'now'}": "config: breaks the contract's ExtractConfig: $.priority: *",
    "agents={'agent-7': {}}": "agents[[]'agent-7'[]]: 'agent-7' is not an agent id (a UUID)",
    "agents={}": "agents: names no agent (give at least one)",
    "data=[{'id': 'x'}]": "data: record #0: run x breaks the contract: *",
    "data='missing.jsonl'": "data: missing.jsonl: no such file",
    "data=[], runs=3": "data: not with runs= (your runs carry their own *",
    "data=[], mode='stateless'": "data: only with mode='stateful' *",
    "data=7": "data: expected a list of runs, a RunStore or a file path, got int",
}


def test_a_shape_or_runs_the_mock_cannot_use_fail_setup_with_one_line(
    pytester: pytest.Pytester,
) -> None:
    assert_each_fails_setup_with_one_line(pytester, BAD_MARKERS)
