"""Real traffic with the Extraction Runs API: judged against the contract, and recorded.

- :func:`judge` checks one exchange (a request and its answer) against the contract:
  parameters, status, content type, schema, the fields it documents, and this API's checks of
  one answer (:data:`TRAFFIC_CHECKS`); :class:`TrafficLog` adds judgements up, and a
  :class:`Referee` judges, scrubs, counts and records a stream of them (strictly or not).
- :class:`Recorder` writes exchanges to a directory, one JSON file each, secrets scrubbed;
  :func:`read_recording` reads them back and :func:`recorded_runs` says which runs they hold.
- :func:`validating_transport` and :func:`async_validating_transport` are httpx transports
  that judge (and optionally record) every exchange a client makes with the four operations,
  for a test suite that runs against the real service (also as ``contracts.validating_transport``).

The proxy (``extract-contract proxy``) and ``extract-contract drift`` are built on these.
"""

from __future__ import annotations

import importlib
import typing

from ._judge import TRAFFIC_CHECKS, Judgement, TrafficCheck, TrafficViolation, judge
from ._log import TrafficLog, strict_answer
from ._memo import JudgementMemo
from ._recording import (
    FORMAT,
    RecordedExchange,
    Recorder,
    RecordingError,
    Sighting,
    read_recording,
    recorded_runs,
)
from ._referee import Referee, Settled
from ._scrub import SCRUBBED, Scrubber

if typing.TYPE_CHECKING:
    from ._transport import (
        AsyncValidatingTransport,
        TrafficAssertionError,
        ValidatingTransport,
        async_validating_transport,
        validating_transport,
    )

__all__ = [
    "FORMAT",
    "SCRUBBED",
    "TRAFFIC_CHECKS",
    "AsyncValidatingTransport",
    "Judgement",
    "JudgementMemo",
    "RecordedExchange",
    "Recorder",
    "RecordingError",
    "Referee",
    "Scrubber",
    "Settled",
    "Sighting",
    "TrafficAssertionError",
    "TrafficCheck",
    "TrafficLog",
    "TrafficViolation",
    "ValidatingTransport",
    "async_validating_transport",
    "judge",
    "read_recording",
    "recorded_runs",
    "strict_answer",
    "validating_transport",
]

_TRANSPORTS = (
    "AsyncValidatingTransport",
    "TrafficAssertionError",
    "ValidatingTransport",
    "async_validating_transport",
    "validating_transport",
)


def __getattr__(name: str) -> typing.Any:  # the transports load httpx: only when asked for
    if name in _TRANSPORTS:
        value = getattr(importlib.import_module(f"{__name__}._transport"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
