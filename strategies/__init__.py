"""Hypothesis strategies and seeded generators for the LlamaCloud Extraction Runs API.

Driven by the committed JSON Schemas of :mod:`contracts`: a change to the models flows into the
generated payloads with no hand edit.

>>> from strategies import sample
>>> run = sample("run", seed=7)[0]
>>> sorted(run)[:3]
['config', 'created_at', 'data']
"""

from ._errors import BadArgument, StrategiesError, UnsupportedSchema
from ._seeded import sample

__all__ = ["BadArgument", "StrategiesError", "UnsupportedSchema", "sample"]
