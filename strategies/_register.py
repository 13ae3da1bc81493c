"""Registration with Hypothesis's ``st.from_type``, run by the ``hypothesis`` entry point.

``[project.entry-points.hypothesis]`` names :func:`_hypothesis_setup_hook`; Hypothesis calls
it when it is imported, so ``st.from_type(contracts.ExtractRun)`` works in any test without
importing ``strategies``. The strategies themselves are only built on first use.
"""

from __future__ import annotations

from typing import Any

__all__: list[str] = []


def _models(kind: str) -> Any:
    from ._models import extract_configs, extract_run_pages, extract_runs, files

    return {
        "run": extract_runs,
        "config": extract_configs,
        "file": files,
        "page": extract_run_pages,
    }[kind]()


def _hypothesis_setup_hook() -> None:
    """Register a schema-wide strategy of model instances for each contract model."""
    from hypothesis import strategies as st

    import contracts

    models = {
        "run": contracts.ExtractRun,
        "config": contracts.ExtractConfig,
        "file": contracts.File,
        "page": contracts.PaginatedExtractRunsResponse,
    }
    for kind, model in models.items():
        st.register_type_strategy(model, _resolver(kind, model))


def _resolver(kind: str, model: Any) -> Any:
    def resolve(_type: type) -> Any:
        return _models(kind).map(model.model_validate)

    return resolve
