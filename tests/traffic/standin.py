"""A stand-in for the real service: the mock's own handler over a store, with planted
differences, each switched on by name, so a test can show which check finds which.

- ``not_found_detail``: a 404's ``detail`` reads "Run not found." (the mock's: "Extraction run
  not found");
- ``extra_field``: every run it answers carries ``priority_hint``, a field the contract lacks;
- ``order_by_updated``: list pages ordered by ``updated_at`` (newest first), not ``created_at``;
- ``bad_status``: one run (``status_run``) is answered with status ``CANCELLED``;
- ``error_500``: a get of one run (``failing_run``) is answered 500.

With no plant it answers exactly as the mock does (a faithful upstream).
"""

from __future__ import annotations

import json
from typing import Any

from mocks import Handler, Request, Response, RunStore
from mocks._core.http import json_answer

API = "/api/v1/extraction/runs"
PLANTS = ("not_found_detail", "extra_field", "order_by_updated", "bad_status", "error_500")


class StandIn:
    """A callable from :class:`mocks.Request` to :class:`mocks.Response` (serve it with
    ``mocks.create_app``)."""

    def __init__(
        self,
        store: RunStore,
        plants: tuple[str, ...] = (),
        *,
        status_run: str | None = None,
        failing_run: str | None = None,
    ) -> None:
        unknown = set(plants) - set(PLANTS)
        assert not unknown, unknown
        self.store = store
        self.plants = frozenset(plants)
        self.handler = Handler(store)
        self.status_run = status_run
        self.failing_run = failing_run

    def __call__(self, request: Request) -> Response:
        if (
            "error_500" in self.plants
            and request.method == "GET"
            and request.path == f"{API}/{self.failing_run}"
        ):
            return json_answer(500, {"detail": "Internal Server Error"})
        answer = self.handler.handle(request)
        if answer.status == 404 and "not_found_detail" in self.plants:
            body = json.loads(answer.body)
            if body.get("detail", "").startswith("Extraction run not found"):
                return json_answer(404, {"detail": "Run not found."})
        if answer.status != 200 or not answer.body.startswith(b"{"):
            return answer
        body = json.loads(answer.body)
        if "items" in body and "order_by_updated" in self.plants:
            body = self._page_by_updated(request, body)
        runs = body.get("items", [body] if "id" in body else [])
        for run in runs:
            self._plant(run)
        return json_answer(200, body)

    def _page_by_updated(self, request: Request, body: dict[str, Any]) -> dict[str, Any]:
        agent = dict(request.query)["extraction_agent_id"].lower()
        every = sorted(
            self.store.runs(agent), key=lambda run: (run["updated_at"], run["id"]), reverse=True
        )
        skip, limit = body["skip"], body["limit"]
        return {**body, "items": every[skip : skip + limit]}

    def _plant(self, run: dict[str, Any]) -> None:
        if "extra_field" in self.plants:
            run["priority_hint"] = "normal"
        if "bad_status" in self.plants and run["id"] == self.status_run:
            run["status"] = "CANCELLED"
