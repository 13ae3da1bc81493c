from datetime import date
from typing import Literal

import pytest
from llama_cloud import LlamaCloud
from pydantic import BaseModel, Field

from strategies import sample


class LineItem(BaseModel):
    description: str
    amount: float = Field(ge=0)


class Invoice(BaseModel):  # what your extraction agent extracts
    invoice_number: str = Field(pattern=r"^INV-[0-9]{4}$")
    issued_on: date
    currency: Literal["EUR", "USD"] | None = None
    lines: list[LineItem]
    total: float = Field(ge=0)


INVOICE = Invoice.model_json_schema()  # your agent's data_schema


def invoice_totals(client, agent_id):  # the code under test
    runs = client.extraction.runs.list(extraction_agent_id=agent_id)
    return [run.data["total"] for run in runs if run.status == "SUCCESS"]


@pytest.mark.extract_mock(data_schema=INVOICE)
def test_every_run_carries_your_schema(extract_mock):
    client = LlamaCloud(api_key="test", base_url=extract_mock.base_url)
    agent = extract_mock.store.agents()[0]
    assert all(total >= 0 for total in invoice_totals(client, agent))
    run = next(run for run in extract_mock.store.runs(agent) if run["status"] == "SUCCESS")
    assert Invoice.model_validate(run["data"]).invoice_number.startswith("INV-")


@pytest.mark.extract_mock(data_schema=INVOICE, config={"extraction_target": "PER_PAGE"})
def test_per_page_runs_carry_one_invoice_per_page(extract_mock):
    client = LlamaCloud(api_key="test", base_url=extract_mock.base_url)
    run = next(run for run in extract_mock.store.runs() if run["status"] == "SUCCESS")
    pages = client.extraction.runs.get(run["id"]).data
    assert [Invoice.model_validate(page) for page in pages]


AGENT = "3f1c2a9e-5b7d-4c8e-9a1f-2b3c4d5e6f70"  # your runs, made here or loaded from a file
YOUR_RUNS = sample(
    "run",
    seed=1,
    count=3,
    status="SUCCESS",
    extraction_agent_id=AGENT,
    data_schema=INVOICE,
    config={"extraction_target": "PER_DOC"},
)


@pytest.mark.extract_mock(data=YOUR_RUNS)  # also: a RunStore, or "tests/runs.jsonl"
def test_your_own_runs(extract_mock):
    client = LlamaCloud(api_key="test", base_url=extract_mock.base_url)
    assert len(invoice_totals(client, AGENT)) == 3
