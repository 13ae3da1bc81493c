"""The run store: validation on the way in, the documented order, indexes that stay right."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from contracts import ExtractRun, validate
from mocks import InvalidRun, RunStore

from .runs import AGENT, OTHER_AGENT, make_run, uid


def _page(store: RunStore, agent: str, skip: int = 0, limit: int = 50) -> dict:
    return json.loads(store.page_json(agent, skip, limit))


class TestValidationOnTheWayIn:
    def test_a_bad_field_names_the_record_and_the_field(self) -> None:
        bad = make_run(2, status="DONE")
        with pytest.raises(InvalidRun) as caught:
            RunStore([make_run(1), bad])
        message = str(caught.value)
        assert message.startswith(f"run #1 (id {uid(2)}) breaks the contract:")
        assert "$.status" in message
        assert "DONE" in message

    def test_every_violation_is_listed(self) -> None:
        bad = make_run(1, from_ui="yes", extraction_agent_id="agent-7")
        del bad["project_id"]
        with pytest.raises(InvalidRun) as caught:
            RunStore([bad])
        message = str(caught.value)
        for path in ("$.from_ui", "$.extraction_agent_id", "$.project_id"):
            assert path in message

    def test_not_a_run_at_all(self) -> None:
        with pytest.raises(InvalidRun, match=r"run #0: expected an ExtractRun .* got list"):
            RunStore([[1, 2]])

    def test_a_repeated_id_is_refused_and_nothing_is_added(self) -> None:
        store = RunStore([make_run(1)])
        with pytest.raises(InvalidRun, match="already in the store"):
            store.add(make_run(2), make_run(1))
        assert len(store) == 1
        with pytest.raises(InvalidRun, match="given twice"):
            store.add(make_run(3), make_run(3, status="ERROR"))
        assert len(store) == 1

    def test_ids_are_case_insensitive(self) -> None:
        store = RunStore([make_run(1, id=uid(1).upper())])
        assert uid(1) in store
        with pytest.raises(InvalidRun, match="already in the store"):
            store.add(make_run(1))

    def test_pydantic_runs_are_accepted_and_serialised_whole(self) -> None:
        model = ExtractRun.model_validate(make_run(1, updated_at=None, data=None))
        store = RunStore([model])
        got = store.get(uid(1))
        assert got is not None
        assert got["file"] is None  # every field, as FastAPI's response model renders it
        assert validate(got, "run") == []

    def test_own_fields_survive_byte_for_byte(self) -> None:
        run = make_run(1, extra_field={"kept": True})
        store = RunStore([run])
        assert store.run_json(uid(1)) == json.dumps(run, separators=(",", ":")).encode()


class TestOrder:
    def test_newest_first_then_id_then_undated_runs_last(self) -> None:
        runs = [
            make_run(1, second=10),
            make_run(2, second=30),
            make_run(3, second=30),  # a tie with run 2: id ascending
            make_run(4, created_at=None),
            make_run(5, second=20),
        ]
        store = RunStore(runs)
        assert store.ids(AGENT) == [uid(2), uid(3), uid(5), uid(1), uid(4)]

    def test_offsets_and_fractions_are_compared_as_instants(self) -> None:
        store = RunStore(
            [
                make_run(1, created_at="2025-01-01T12:00:00+02:00"),  # 10:00 UTC
                make_run(2, created_at="2025-01-01T11:00:00Z"),
                make_run(3, created_at="2025-01-01T10:00:00.5Z"),
                make_run(4, created_at="2025-01-01T10:00:00.25"),
            ]
        )
        assert store.ids(AGENT) == [uid(2), uid(3), uid(4), uid(1)]

    def test_get_by_job_answers_the_newest_run_of_the_job(self) -> None:
        job = uid(1, space=1)
        store = RunStore([make_run(1, second=5), make_run(2, second=9, job_id=job)])
        assert json.loads(store.run_json_by_job(job))["id"] == uid(2)
        store.delete(uid(2))
        assert json.loads(store.run_json_by_job(job))["id"] == uid(1)
        store.delete(uid(1))
        assert store.run_json_by_job(job) is None


class TestSeeded:
    def test_same_arguments_same_bytes(self) -> None:
        one = RunStore.seeded(seed=5, runs=60, agents=4, jobs=7)
        two = RunStore.seeded(seed=5, runs=60, agents=4, jobs=7)
        assert one.agents() == two.agents()
        assert [one.run_json(i) for i in one.ids()] == [two.run_json(i) for i in two.ids()]
        assert one.ids() != RunStore.seeded(seed=6, runs=60, agents=4, jobs=7).ids()

    def test_runs_are_valid_spread_over_agents_and_jobs(self) -> None:
        store = RunStore.seeded(seed=1, runs=50, agents=3, jobs=4)
        agents = store.agents()
        assert [store.count(a) for a in agents] == [17, 17, 16]
        runs = store.runs()
        assert all(validate(run, "run") == [] for run in runs)
        assert len({run["job_id"] for run in runs}) == 4
        assert {run["extraction_agent_id"] for run in runs} == set(agents)
        for agent in agents:  # an agent keeps one schema and config, as a real one does
            own = store.runs(agent)
            assert len({json.dumps(r["data_schema"], sort_keys=True) for r in own}) == 1
        assert len({run["project_id"] for run in runs}) == 1

    def test_one_job_per_run_by_default(self) -> None:
        store = RunStore.seeded(seed=2, runs=30)
        jobs = [run["job_id"] for run in store.runs()]
        assert len(set(jobs)) == 30
        for run in store.runs():
            assert json.loads(store.run_json_by_job(run["job_id"]))["id"] == run["id"]

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"runs": -1}, "runs must be >= 0"),
            ({"agents": 0}, "agents must be >= 1"),
            ({"jobs": 0}, "jobs must be >= 1"),
            ({"runs": "10"}, "runs must be a whole number"),
        ],
    )
    def test_bad_arguments(self, kwargs: dict, message: str) -> None:
        with pytest.raises(ValueError, match=re.escape(message)):
            RunStore.seeded(**kwargs)

    def test_empty(self) -> None:
        store = RunStore.seeded(runs=0)
        assert len(store) == 0
        assert _page(store, store.agents()[0] if store.agents() else AGENT)["total"] == 0


class TestReading:
    def test_get_returns_a_copy(self) -> None:
        store = RunStore([make_run(1)])
        got = store.get(uid(1).upper())
        assert got is not None
        got["status"] = "ERROR"
        assert store.get(uid(1))["status"] == "SUCCESS"  # type: ignore[index]

    def test_clear(self) -> None:
        store = RunStore([make_run(1), make_run(2, agent=OTHER_AGENT)])
        store.clear()
        assert (len(store), store.agents(), store.ids()) == (0, [], [])


class TestKeptPages:
    def test_every_write_forgets_the_pages_kept(self) -> None:
        store = RunStore([make_run(1, second=0), make_run(2, second=0)])  # in id order
        assert [r["id"] for r in _page(store, AGENT)["items"]] == [uid(1), uid(2)]
        store.delete(uid(1))
        assert [r["id"] for r in _page(store, AGENT)["items"]] == [uid(2)]
        store.add(make_run(3, second=0))
        assert [r["id"] for r in _page(store, AGENT)["items"]] == [uid(2), uid(3)]
        store.clear()
        assert _page(store, AGENT)["items"] == []
        assert not store.delete(uid(9))  # a delete of nothing changes nothing

    def test_the_pages_kept_are_bounded_in_number_and_size(self) -> None:
        from mocks._core.store import PAGE_BYTES_KEPT, PAGES_KEPT

        store = RunStore([make_run(i) for i in range(1, 6)])
        for skip in range(3 * PAGES_KEPT):
            store.page_json(AGENT, skip, 1)
            assert len(store._pages) <= PAGES_KEPT
        store._pages.clear()
        big = RunStore.seeded(seed=1, runs=200, agents=1)
        agent = big.agents()[0]
        assert len(big.page_json(agent, 0, 200)) > PAGE_BYTES_KEPT
        assert big._pages == {}
        assert len(big.page_json(agent, 0, 2)) <= PAGE_BYTES_KEPT
        assert list(big._pages) == [(agent, 0, 2)]


class StoreAgainstAModel(RuleBasedStateMachine):
    """Random adds and deletes; every page must equal slicing a plainly sorted list."""

    @initialize()
    def start(self) -> None:
        self.store = RunStore()
        self.model: dict[str, dict] = {}
        self.next = 0

    @rule(
        count=st.integers(1, 12),
        agent=st.sampled_from([AGENT, OTHER_AGENT]),
        second=st.integers(0, 5),
    )
    def add(self, count: int, agent: str, second: int) -> None:
        runs = []
        for _ in range(count):
            self.next += 1
            runs.append(make_run(self.next, agent=agent, second=second))
        self.store.add(*runs)
        self.model.update({run["id"]: run for run in runs})

    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        if not self.model:
            return
        run_id = data.draw(st.sampled_from(sorted(self.model)))
        assert self.store.delete(run_id)
        del self.model[run_id]
        assert not self.store.delete(run_id)

    @rule(
        agent=st.sampled_from([AGENT, OTHER_AGENT]),
        skip=st.integers(0, 40),
        limit=st.integers(0, 15),
    )
    def page(self, agent: str, skip: int, limit: int) -> None:
        expected = sorted(
            (r for r in self.model.values() if r["extraction_agent_id"] == agent),
            key=lambda r: (-int(r["created_at"][17:19]), r["id"]),
        )
        page = _page(self.store, agent, skip, limit)
        assert [r["id"] for r in page["items"]] == [r["id"] for r in expected[skip : skip + limit]]
        assert page["total"] == len(expected)
        # the page kept since the last write is the page made afresh (a copy keeps none)
        kept = self.store.page_json(agent, skip, limit)
        assert kept == self.store.copy().page_json(agent, skip, limit)

    @invariant()
    def sizes_agree(self) -> None:
        assert len(self.store) == len(self.model)
        assert sorted(self.store.ids()) == sorted(self.model)


TestStoreAgainstAModel = StoreAgainstAModel.TestCase
TestStoreAgainstAModel.settings = settings(max_examples=60, stateful_step_count=25, deadline=None)
