"""The route table of the mock: one :class:`Route` per operation of :data:`contracts.OPERATIONS`.

No path is spelled here, and no route is matched here: the handler finds a request's operation
with the contract's own matcher (:func:`contracts._operations.route_request`, the one the judge
of real traffic, the conformance guard and API coverage use too), then its route by name.
"""

from __future__ import annotations

from collections.abc import Mapping

from contracts import OPERATIONS, Operation

from .http import JSON_HEADERS, Response, json_answer
from .params import ParameterReader

__all__ = ["ROUTES", "ROUTE_OF", "Route"]


class Route:
    """One operation as the handler routes to it: ``name``, ``method``, the parameter
    ``reader`` and the operation's own 404 answer (``not_found``, None for an operation that
    looks nothing up)."""

    __slots__ = ("method", "name", "not_found", "operation", "reader")

    def __init__(self, operation: Operation) -> None:
        self.operation = operation
        self.name = operation.name
        self.method = operation.method
        self.not_found = (
            None
            if operation.not_found is None
            else json_answer(404, {"detail": operation.not_found})
        )
        self.reader = ParameterReader(operation)

    def found(self, body: bytes | None) -> Response:
        """200 with ``body`` (JSON bytes), or this operation's 404 when there is none."""
        if body is not None:
            return Response(200, body, JSON_HEADERS)
        assert self.not_found is not None  # every operation that looks a run up has a 404
        return self.not_found

    def __repr__(self) -> str:
        return f"<Route {self.method} {self.operation.path} ({self.name})>"


ROUTES: tuple[Route, ...] = tuple(Route(operation) for operation in OPERATIONS)
"""Every operation's route, in the contract's order (the order FastAPI would match them in)."""
ROUTE_OF: Mapping[str, Route] = {route.name: route for route in ROUTES}
"""Operation name -> its route."""
