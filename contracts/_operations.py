"""The four operations of the Extraction Runs API, described once, as data.

The OpenAPI document, the mock's request handler and router, and the conformance checks all
read :data:`OPERATIONS`; none of them spells a path or a parameter on its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel

from ._models import ErrorResponse, ExtractRun, HTTPValidationError, PaginatedExtractRunsResponse

__all__ = [
    "API_PREFIX",
    "DEFAULT_BASE_URL",
    "OPERATIONS",
    "Link",
    "Operation",
    "Parameter",
    "operation",
    "path_pattern",
    "resolve_operation",
    "route_request",
]

DEFAULT_BASE_URL = "https://api.cloud.llamaindex.ai"
"""Where the real service lives; both official clients default to it."""

API_PREFIX = "/api/v1/extraction/runs"

ParameterKind = Literal["uuid", "integer"]


@dataclass(frozen=True)
class Parameter:
    """One path or query parameter, with what FastAPI would check about it."""

    name: str
    location: Literal["path", "query"]
    kind: ParameterKind
    required: bool
    description: str
    default: int | None = None
    minimum: int | None = None


@dataclass(frozen=True)
class Link:
    """An OpenAPI link: a value of this operation's 200 answer feeds another's parameter."""

    name: str
    target: str
    parameter: str
    # an OpenAPI runtime expression, e.g. "$response.body#/items/0/id" or "$request.path.run_id"
    expression: str


@dataclass(frozen=True)
class Operation:
    """One endpoint: method, path template, parameters and the body of each status."""

    name: str
    method: Literal["GET", "DELETE"]
    path: str
    summary: str
    parameters: tuple[Parameter, ...]
    # The 200 body's model; None means "any JSON value" (the delete answer).
    success: type[BaseModel] | None
    # The ``detail`` of the 404 for an unknown id, or None if the operation has no 404.
    not_found: str | None
    links: tuple[Link, ...] = ()
    errors: Mapping[int, type[BaseModel]] = field(default_factory=dict)

    @property
    def path_parameters(self) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.location == "path")

    @property
    def query_parameters(self) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.location == "query")


_SCOPE = (
    Parameter("project_id", "query", "uuid", False, "The project the run belongs to."),
    Parameter("organization_id", "query", "uuid", False, "The organization of the project."),
)
_RUN_ID = Parameter("run_id", "path", "uuid", True, "The id of the extraction run.")
_JOB_ID = Parameter("job_id", "path", "uuid", True, "The id of the extraction job.")
_RUN_NOT_FOUND = "Extraction run not found"


def _links_from(prefix: str, *, source: str) -> tuple[Link, ...]:
    body = "$response.body#" + prefix
    links = (
        Link("GetRun", "get_run", "run_id", f"{body}/id"),
        Link("DeleteRun", "delete_run", "run_id", f"{body}/id"),
        Link("GetRunByJob", "get_run_by_job", "job_id", f"{body}/job_id"),
    )
    return tuple(link for link in links if link.target != source)


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        name="list_runs",
        method="GET",
        path=API_PREFIX,
        summary="List Extract Runs",
        parameters=(
            Parameter("extraction_agent_id", "query", "uuid", True, "The extraction agent's runs."),
            Parameter("skip", "query", "integer", False, "Runs to skip.", default=0, minimum=0),
            Parameter(
                "limit", "query", "integer", False, "Most runs to return.", default=50, minimum=0
            ),
        ),
        success=PaginatedExtractRunsResponse,
        not_found=None,
        links=_links_from("/items/0", source="list_runs"),
        errors={422: HTTPValidationError},
    ),
    Operation(
        name="get_run",
        method="GET",
        path=API_PREFIX + "/{run_id}",
        summary="Get Run",
        parameters=(_RUN_ID, *_SCOPE),
        success=ExtractRun,
        not_found=_RUN_NOT_FOUND,
        links=_links_from("", source="get_run"),
        errors={404: ErrorResponse, 422: HTTPValidationError},
    ),
    Operation(
        name="delete_run",
        method="DELETE",
        path=API_PREFIX + "/{run_id}",
        summary="Delete Extraction Run",
        parameters=(_RUN_ID, *_SCOPE),
        success=None,
        not_found=_RUN_NOT_FOUND,
        # after a delete, the same run must be gone: stateful fuzzers follow this to check it
        links=(Link("GetDeletedRun", "get_run", "run_id", "$request.path.run_id"),),
        errors={404: ErrorResponse, 422: HTTPValidationError},
    ),
    Operation(
        name="get_run_by_job",
        method="GET",
        path=API_PREFIX + "/by-job/{job_id}",
        summary="Get Run By Job Id",
        parameters=(_JOB_ID, *_SCOPE),
        success=ExtractRun,
        not_found="Extraction run not found for job",
        links=_links_from("", source="get_run_by_job"),
        errors={404: ErrorResponse, 422: HTTPValidationError},
    ),
)


def operation(name: str) -> Operation:
    """The operation called ``name`` (``list_runs``, ``get_run``, ``delete_run``, ...)."""
    for op in OPERATIONS:
        if op.name == name:
            return op
    known = ", ".join(op.name for op in OPERATIONS)
    raise KeyError(f"unknown operation {name!r}; the operations are: {known}")


def path_pattern(template: str) -> re.Pattern[str]:
    """The regex of a path template as Starlette reads it: each ``{name}`` is one non-empty
    path segment, a named group."""
    return re.compile(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template)))


_PATTERNS = tuple((op, path_pattern(op.path)) for op in OPERATIONS)


def route_request(method: str, path: str) -> tuple[Operation | None, dict[str, str] | None]:
    """The operation a request of ``method`` (case-sensitive, as in HTTP) to ``path``
    (percent-decoded, no query) goes to, as FastAPI routes it, with its path parameters:
    ``(operation, values)`` when its path and method match; ``(operation, None)`` when only
    the path does (a 405: the first operation of that path, whose method the ``Allow`` header
    names); ``(None, None)`` for a path that is none of the four.

    The one route matcher: the mock's handler, the judge of real traffic, the conformance
    guard and API coverage all route with it.

    >>> op, values = route_request("GET", "/api/v1/extraction/runs/by-job/j-1")
    >>> op.name, values
    ('get_run_by_job', {'job_id': 'j-1'})
    """
    partial = None
    for op, pattern in _PATTERNS:
        found = pattern.fullmatch(path)
        if found is not None:
            if op.method == method:
                return op, found.groupdict()
            partial = partial or op
    return partial, None


def resolve_operation(method: str, path: str) -> tuple[Operation | None, bool]:
    """The operation a request goes to, as FastAPI routes it: ``(operation, True)`` when its
    path and method match; ``(operation, False)`` when only the path does (a 405: the first
    operation of that path, whose method the ``Allow`` header names); ``(None, False)`` for
    a path that is none of the four (:func:`route_request` without the path parameters)."""
    op, values = route_request(method, path)
    return op, values is not None
