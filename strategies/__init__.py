"""Hypothesis strategies and seeded generators for the LlamaCloud Extraction Runs API.

Driven by the committed JSON Schemas of :mod:`contracts` (compiled once into a generation
plan), so a change to the models flows into the generated payloads with no hand edit.

- :func:`sample` / :func:`sample_invalid`: deterministic generation by seed, fast (no Hypothesis
  engine): what the mocks and the fixture corpus use.
- :func:`extract_runs`, :func:`extract_configs`, :func:`files`, :func:`extract_run_pages`:
  Hypothesis strategies, schema-wide or ``realistic=True``; :func:`invalid_payloads`: payloads
  broken in one named place. ``st.from_type(contracts.ExtractRun)`` works through the
  ``hypothesis`` entry point.

>>> from strategies import sample
>>> sorted(sample("run", seed=7)[0])[:3]
['config', 'created_at', 'data']

The Hypothesis strategies load on first use (PEP 562), so the seeded generators (which the mock
server calls at start-up) do not pay for importing Hypothesis.
"""

from __future__ import annotations

import importlib as _importlib
import typing as _typing

from ._corpus import CORPUS_INDEX, IndexEntry, read_index, write_corpus
from ._errors import BadArgument, CorpusExists, NotACorpus, StrategiesError, UnsupportedSchema
from ._invalid import BREAKS, Breakage, sample_invalid
from ._seeded import sample

if _typing.TYPE_CHECKING:
    from ._models import (
        extract_configs,
        extract_run_pages,
        extract_runs,
        files,
        invalid_payloads,
    )

__all__ = [
    "BREAKS",
    "CORPUS_INDEX",
    "BadArgument",
    "Breakage",
    "CorpusExists",
    "IndexEntry",
    "NotACorpus",
    "StrategiesError",
    "UnsupportedSchema",
    "extract_configs",
    "extract_run_pages",
    "extract_runs",
    "files",
    "invalid_payloads",
    "read_index",
    "sample",
    "sample_invalid",
    "write_corpus",
]

# public name -> private module, for the names that need Hypothesis
_LAZY = {
    "extract_configs": "_models",
    "extract_run_pages": "_models",
    "extract_runs": "_models",
    "files": "_models",
    "invalid_payloads": "_models",
}


def __getattr__(name: str) -> _typing.Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'strategies' has no attribute {name!r}")
    value = getattr(_importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
