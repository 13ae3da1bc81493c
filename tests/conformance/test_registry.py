"""The one registry of checks: schemathesis's names in step with the installed version, the
selection rules, and no schemathesis import at ``import contracts``."""

from __future__ import annotations

import subprocess
import sys

import pytest

from contracts.conformance import CHECKS, UnknownCheck


def test_schemathesis_names_are_real_checks_of_the_installed_version():
    from schemathesis.checks import CHECKS as ST_CHECKS
    from schemathesis.checks import load_all_checks

    load_all_checks()
    installed = set(ST_CHECKS.get_all_names())
    ours = [c.name for c in CHECKS if c.kind == "schemathesis"]
    assert set(ours) <= installed
    # every built-in check is either in the registry or left out on purpose
    assert installed - set(ours) - {c.name for c in CHECKS} <= {
        "ignored_auth",
        "object_level_authorization",
    }


def test_every_check_has_a_description_and_our_checks_a_function():
    for check in CHECKS:
        assert check.description, check
        assert (check.func is None) == (check.kind in ("schemathesis", "transport")), check
        assert check.judges, check


def test_default_selection_leaves_out_opt_in_checks_and_all_takes_every_one():
    default = {c.name for c in CHECKS.select()}
    assert "allow_header_conformance" not in default
    assert "pagination_walk" in default
    assert "use_after_free" in default
    assert {c.name for c in CHECKS.select(["all"])} == set(CHECKS.names())
    picked = CHECKS.select(["run_matches_request", "not_a_server_error"])
    # the guard's check is in every selection: it judges every answer anyway
    assert [c.name for c in picked] == [
        "not_a_server_error",
        "well_formed_answers",
        "run_matches_request",
    ]
    assert {"rejects_bad_parameters", "routes_like_fastapi"} <= default


def test_an_unknown_check_names_the_known_ones():
    with pytest.raises(UnknownCheck, match="unknown check 'pagination'; the checks are: "):
        CHECKS.select(["pagination"])


def test_importing_contracts_and_conformance_loads_no_schemathesis_nor_hypothesis():
    code = (
        "import sys, contracts, contracts.conformance;"
        "print(sorted(m for m in ('schemathesis', 'hypothesis', 'respx') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_public_surface_is_all_sorted_and_complete():
    import importlib

    import contracts.conformance as conformance

    exported = list(conformance.__all__)
    key = lambda name: (0 if name.isupper() else 1 if name[0].isupper() else 2, name)  # noqa: E731
    assert exported == sorted(exported, key=key)
    public = {
        name
        for name in vars(conformance)
        if not name.startswith("_") and not isinstance(getattr(conformance, name), type(importlib))
    }
    assert public <= set(exported)
    lazy = set(exported) - public  # loaded when first asked for (GuardTransport: httpx)
    assert lazy == {"GuardTransport"}
    for name in exported:
        assert getattr(conformance, name) is not None, name
        value = getattr(conformance, name)
        if isinstance(value, type) or callable(value):
            assert value.__doc__, f"{name} has no docstring"


def test_the_entry_points_and_the_benches_use_only_the_public_api():
    """The command line, the pytest plugin and bench/ import nothing private from
    ``contracts.conformance`` (issue #13, review: conform imported ``_policy.decide``, the
    bench five private modules)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    files = [
        *sorted((root / "mocks" / "_cli").glob("*.py")),
        *sorted((root / "mocks" / "_plugin").glob("*.py")),
        *sorted((root / "bench").glob("*.py")),
    ]
    assert len(files) > 10
    private = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            private += [
                f"{path.relative_to(root)}:{node.lineno}: {name}"
                for name in names
                if name.startswith("contracts.conformance._")
            ]
    assert private == []
