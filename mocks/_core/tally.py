"""Where the mock's handlers count their answers: the API coverage being tallied, if any.

:func:`counting_into` turns counting on for a block (the pytest plugin, for a session asked to
report its API coverage): every :class:`~mocks._core.handler.Handler` made inside it counts each
answer into that :class:`contracts.ApiCoverage` as the answer is made (the ``extract_mock``
fixture, ``mocks.mock_api()`` inside ``@given``, the live ``extract_server``, a ``MockAPI`` of
your own). A handler made outside it counts nothing, unless given a tally
(``handler.coverage = ApiCoverage()``); with none, its hot path pays one attribute test.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from contracts import ApiCoverage

__all__ = ["active", "counting_into"]

_lock = threading.Lock()
_active: list[ApiCoverage | None] = [None]


def active() -> ApiCoverage | None:
    """The tally new handlers count into (None: counting is off)."""
    return _active[-1]


@contextlib.contextmanager
def counting_into(coverage: ApiCoverage | None) -> Iterator[None]:
    """New handlers count into ``coverage`` inside the block (None: into nothing)."""
    with _lock:
        _active.append(coverage)
    try:
        yield
    finally:
        with _lock:
            _active.pop()
