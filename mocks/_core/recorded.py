"""Runs from a recording: the directory ``extract-contract proxy --record`` or a validating
transport wrote (:mod:`contracts.traffic`).

Every run seen in it is loaded: the last sighting of an id wins, and a run seen deleted (a 200
to its DELETE after the sighting) is absent. Each run is checked by the store, as a run file's
are; a run that breaks the contract is a :class:`~mocks._errors.LoadError` naming the file
that showed it last and the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from contracts.traffic import RecordingError, read_recording, recorded_runs

from .._errors import InvalidRun, LoadError

__all__ = ["load_recording"]


def load_recording(store: Any, path: Path) -> list[str]:
    """Add the runs of the recording at ``path`` to ``store`` (all or none); their ids."""
    try:
        exchanges = read_recording(path)
    except RecordingError as exc:
        raise LoadError(exc.reason, source=exc.path) from None
    if not exchanges:
        reason = "no recorded exchange in it (files named like 000001-get_run.json)"
        raise LoadError(reason, source=str(path))
    sightings = list(recorded_runs(exchanges).values())
    try:
        ids: list[str] = store.add(*(sighting.run for sighting in sightings))
    except InvalidRun as exc:
        raise LoadError(
            exc.reason,
            source=str(sightings[exc.record].exchange.file),
            run_id=exc.run_id,
            violations=exc.violations,
        ) from None
    return ids
