import pydantic
import pytest
from hypothesis import given
from hypothesis import strategies as st

import contracts
from strategies import extract_runs, invalid_payloads, sample

INVOICE = {
    "type": "object",
    "properties": {"total": {"type": "number", "minimum": 0}, "vendor": {"type": "string"}},
    "required": ["total"],
}


@given(extract_runs(realistic=True, status="SUCCESS", data_schema=INVOICE))
def test_extracted_totals_are_never_negative(run):
    rows = run["data"] if isinstance(run["data"], list) else [run["data"]]
    assert all(row["total"] >= 0 for row in rows)


@given(invalid_payloads("run"))
def test_a_broken_run_is_rejected(pair):
    payload, breakage = pair  # breakage.path is e.g. "$.config.priority"
    assert {v.path for v in contracts.validate(payload, "run")} == {breakage.path}
    with pytest.raises(pydantic.ValidationError):
        contracts.ExtractRun.model_validate(payload)


@given(st.from_type(contracts.ExtractRun))
def test_from_type_gives_models(run):
    assert isinstance(run, contracts.ExtractRun)


def test_seeded_runs_are_reproducible():
    assert sample("run", seed=7, count=3) == sample("run", seed=7, count=3)
