"""Which operation a request is: its method and path matched against :data:`OPERATIONS`.

Each operation's path regex is the contract's own (:func:`~contracts.path_pattern`, as
Starlette's ``{name}`` convertor reads a template), so the mock's route table and the judge of
real traffic agree on which requests are the API's.

>>> op, values = match_operation("GET", "/api/v1/extraction/runs/by-job/j-1")
>>> op.name, values
('get_run_by_job', {'job_id': 'j-1'})
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ._operations import OPERATIONS, Operation, path_pattern

__all__ = ["PATTERNS", "match_operation"]


PATTERNS: Mapping[str, re.Pattern[str]] = {op.name: path_pattern(op.path) for op in OPERATIONS}
"""Operation name -> its path regex."""


def match_operation(method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
    """The operation a request of ``method`` (case-sensitive, as in HTTP) to ``path``
    (percent-decoded, no query) is, with its path parameters; None for any other request."""
    for op in OPERATIONS:
        if op.method == method:
            match = PATTERNS[op.name].fullmatch(path)
            if match is not None:
                return op, match.groupdict()
    return None
