"""Which operation a request is: its method and path matched against :data:`OPERATIONS`.

Each operation's path template becomes one regex, once, as Starlette's ``{name}`` convertor
reads it (one non-empty path segment per name). The mock's route table and the judge of real
traffic both match with these, so they agree on which requests are the API's.

>>> op, values = match_operation("GET", "/api/v1/extraction/runs/by-job/j-1")
>>> op.name, values
('get_run_by_job', {'job_id': 'j-1'})
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ._operations import OPERATIONS, Operation

__all__ = ["PATTERNS", "match_operation", "path_pattern"]


def path_pattern(operation: Operation) -> re.Pattern[str]:
    """The regex of ``operation``'s path (a named group per path parameter), for ``fullmatch``."""
    return re.compile(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(operation.path)))


PATTERNS: Mapping[str, re.Pattern[str]] = {op.name: path_pattern(op) for op in OPERATIONS}
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
