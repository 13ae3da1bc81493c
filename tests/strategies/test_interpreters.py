"""The two Hypothesis interpreters of a plan: the plain reference and the tuned one.

Both must make only valid values, for every kind of payload, realistic and schema-wide, with
and without a user's ``data_schema``: every value is checked against the contract (python-
jsonschema, ``contracts.validate``, our models and the official client's) and the data of every
run against the user's schema.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from strategies import _hyp_reference, _hyp_tuned
from strategies._jsonschema import user_data
from strategies._nodes import Const, Node
from strategies._plans import plan

from .judges import assert_coherent_run, assert_valid_everywhere, data_errors

INTERPRETERS = {"reference": _hyp_reference.strategy, "tuned": _hyp_tuned.strategy}
QUICK = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
USER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "vendor": {"type": "string", "minLength": 2},
        "total": {"type": "number", "minimum": 0},
        "currency": {"enum": ["USD", "EUR"]},
        "lines": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"sku": {"format": "uuid"}, "qty": {"type": "integer"}},
                "required": ["sku"],
            },
        },
        "paid_on": {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]},
        # the keywords of issue #16, in both interpreters too
        "code": {"type": "string", "pattern": "^INV-[0-9]{4}$"},
        "qty": {"type": "integer", "multipleOf": 5},
        "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
        "site": {"allOf": [{"type": "string", "format": "uri"}, {"maxLength": 200}]},
        "payer": {
            "oneOf": [
                {
                    "type": "object",
                    "properties": {"iban": {"type": "string"}},
                    "required": ["iban"],
                },
                {
                    "type": "object",
                    "properties": {"card": {"type": "string"}},
                    "required": ["card"],
                },
            ]
        },
    },
    "required": ["vendor", "total", "code"],
}


def _plan(kind: str, realistic: bool, schema: dict[str, Any] | None) -> Node:
    if schema is None or kind not in ("run", "page"):
        return plan(kind, realistic=realistic)
    # a run is SUCCESS here, so its data (the user's schema) is drawn in every example, not
    # only in the sixth of them that a status drawn at random would give
    fixed: dict[str, Node] = (
        {"data_schema": Const(schema), "status": Const("SUCCESS")} if kind == "run" else {}
    )
    return plan(kind, realistic=realistic, fixed=fixed, data=user_data(schema, realistic=realistic))


def _runs(payload: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return payload["items"] if kind == "page" else [payload] if kind == "run" else []


# data_schema= is a field of runs (and of a page's runs) only
CASES = [
    (kind, with_schema)
    for kind in ("run", "config", "file", "page")
    for with_schema in ((False, True) if kind in ("run", "page") else (False,))
]


@pytest.mark.parametrize("interpreter", list(INTERPRETERS))
@pytest.mark.parametrize("realistic", [False, True], ids=["wide", "realistic"])
@pytest.mark.parametrize(
    ("kind", "with_schema"), CASES, ids=[f"{k}{'+schema' if s else ''}" for k, s in CASES]
)
def test_both_interpreters_make_valid_values(
    interpreter: str, kind: str, realistic: bool, with_schema: bool
) -> None:
    schema = USER_SCHEMA if with_schema else None
    made = INTERPRETERS[interpreter](_plan(kind, realistic, schema))
    seen_data = []

    @QUICK
    @given(made)
    def check(payload: dict[str, Any]) -> None:
        assert_valid_everywhere(payload, kind)
        for run in _runs(payload, kind):
            if realistic:
                assert_coherent_run(run)
            data = run.get("data")
            if schema is None or data is None:
                continue
            assert run["data_schema"] == schema
            for obj in data if isinstance(data, list) else [data]:
                assert data_errors(USER_SCHEMA, obj) == []
                seen_data.append(obj)

    check()
    if with_schema:
        assert seen_data, "no run carried data: the user's schema was not exercised"


def test_the_registries_know_the_same_nodes() -> None:
    """Every node kind the reference builds, the tuned interpreter builds (and no other)."""
    assert set(_hyp_reference.BUILDERS) == set(_hyp_tuned._BUILDERS)


def test_the_reference_is_plain_hypothesis() -> None:
    """The reference interpreter's strategies are Hypothesis's own, as a reader expects."""
    made = _hyp_reference.strategy(plan("config", realistic=False))
    assert isinstance(made, st.SearchStrategy)
    assert "fixed_dictionaries" in repr(made)
