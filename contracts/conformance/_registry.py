"""One registry of every conformance check: schemathesis's own and this API's.

Each entry is a :class:`Check` with a name, a one-line description and a ``kind``:

- ``schemathesis``: one of schemathesis's built-in checks, run by its engine on every response;
- ``response``: a plain function of one :class:`~contracts.conformance.Exchange` (a request and
  its answer) that raises ``AssertionError``; registered with schemathesis as a custom check, and
  also run on every answer of the API phase;
- ``api``: a plain function of an :class:`~contracts.conformance.ApiSession` that walks the API
  with a real HTTP client (pages, get after list, delete then get, the negative matrix) in a
  phase of its own;
- ``transport``: judged by the run's guard on every answer, whichever phase asked (in time,
  within the size cap, decodable, valid JSON when it says so, no redirect elsewhere); it is in
  every run, whatever ``--checks`` says, since the guard judges every answer anyway.

Each check reports how many exchanges it *judged*. One that judged none is "not exercised",
never "passed"; ``judges`` says what it looks at, for that message.

The command line's ``--checks`` choices, :func:`~contracts.conformance.run_conformance`'s
``checks=`` and the JUnit report all read :data:`CHECKS`; nothing else lists check names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TypeVar

from ._errors import UnknownCheck

if TYPE_CHECKING:
    from ._exchange import ApiSession, Exchange

__all__ = ["CHECKS", "Check", "CheckKind", "CheckRegistry"]

CheckKind = Literal["schemathesis", "response", "api", "transport"]
ResponseCheck = Callable[["Exchange"], bool]
ApiCheck = Callable[["ApiSession"], None]
F = TypeVar("F", bound=Callable[..., object])


@dataclass(frozen=True)
class Check:
    """One named check. ``needs_state``: only meaningful against a server that remembers
    (deletes stick), so it is skipped when the server is declared stateless. ``default``:
    part of a run that names no checks (an opt-in check must be asked for by name).
    ``judges``: what it looks at ("200 answers to valid list requests"), said when it judged
    nothing. ``writes``: it needs DELETE, so a read-only run skips it."""

    name: str
    kind: CheckKind
    description: str
    needs_state: bool = False
    func: Callable[..., object] | None = None
    default: bool = True
    judges: str = ""
    writes: bool = False


class CheckRegistry:
    """Checks by name, in registration order."""

    def __init__(self) -> None:
        self._checks: dict[str, Check] = {}

    def add(self, check: Check) -> Check:
        if check.name in self._checks:
            raise ValueError(f"a check named {check.name!r} is already registered")
        self._checks[check.name] = check
        return check

    def _decorator(
        self, kind: CheckKind, needs_state: bool, judges: str, writes: bool
    ) -> Callable[[F], F]:
        def register(func: F) -> F:
            paragraph = (func.__doc__ or "").strip().split("\n\n")[0]
            description = " ".join(paragraph.split())
            check = Check(func.__name__, kind, description, needs_state, func, True, judges, writes)
            self.add(check)
            return func

        return register

    def response(self, *, judges: str, needs_state: bool = False) -> Callable[[F], F]:
        """Register a plain function of one exchange that returns whether it judged it (and
        raises ``AssertionError`` on a break); its docstring's first paragraph describes it,
        ``judges`` says which exchanges it looks at."""
        return self._decorator("response", needs_state, judges, False)

    def api(
        self, *, judges: str, needs_state: bool = False, writes: bool = False
    ) -> Callable[[F], F]:
        """Register a plain function of an API session (its docstring's first paragraph
        describes it); ``writes``: it sends DELETE."""
        return self._decorator("api", needs_state, judges, writes)

    def names(self) -> tuple[str, ...]:
        return tuple(self._checks)

    def __iter__(self) -> Iterator[Check]:
        return iter(self._checks.values())

    def __len__(self) -> int:
        return len(self._checks)

    def __getitem__(self, name: str) -> Check:
        try:
            return self._checks[name]
        except KeyError:
            raise UnknownCheck(name, self.names()) from None

    def select(self, names: Iterable[str] | None = None) -> tuple[Check, ...]:
        """The checks called ``names`` in registry order: the default ones for None, every
        one for ``["all"]``; the ``transport`` checks are in every selection."""
        if names is None:
            return tuple(check for check in self if check.default)
        names = list(names)
        if "all" in names:
            return tuple(self)
        wanted = {self[name].name for name in names}
        return tuple(c for c in self if c.name in wanted or c.kind == "transport")


CHECKS = CheckRegistry()
"""Every check a conformance run can make, schemathesis's and this API's."""

# schemathesis's built-in checks that apply to this API: (name, description, what it judges,
# needs_state, writes, default). Left out: ``ignored_auth`` (the contract makes the bearer token
# optional, so there is nothing to enforce) and ``object_level_authorization`` (needs two
# identities). Opt-in, as they can judge nothing of this contract: ``missing_required_header``
# (it declares no required header), ``response_headers_conformance`` (no response header) and
# ``ensure_resource_availability`` (no operation creates a run). A test keeps these names in
# step with the installed schemathesis.
_ANSWERS = "answers of schemathesis's phases"
for _name, _description, _judges, _needs_state, _writes, _default in (
    ("not_a_server_error", "No 5xx answer, whatever the input.", _ANSWERS, False, False, True),
    (
        "status_code_conformance",
        "Every status code is one the contract documents.",
        _ANSWERS + " to a documented method",
        False,
        False,
        True,
    ),
    (
        "content_type_conformance",
        "Every answer is application/json, as documented.",
        _ANSWERS + " with a documented status",
        False,
        False,
        True,
    ),
    (
        "response_schema_conformance",
        "Every body fits its schema (formats included).",
        _ANSWERS + " with a documented status",
        False,
        False,
        True,
    ),
    (
        "negative_data_rejection",
        "Invalid input (bad uuid, skip < 0, ...) is rejected.",
        "answers to requests schemathesis generated invalid",
        False,
        False,
        True,
    ),
    (
        "positive_data_acceptance",
        "Valid input is accepted (2xx or a documented 404).",
        "answers to requests schemathesis generated valid",
        False,
        False,
        True,
    ),
    (
        "unsupported_method",
        "An undocumented method gets 405 with an Allow header.",
        "answers to undocumented methods (coverage phase)",
        False,
        False,
        True,
    ),
    # Opt-in: FastAPI (which the real service runs on) answers a 405 with the methods of the
    # first route that matched the path, so `OPTIONS /runs/{id}` says `Allow: GET`, not
    # `GET, DELETE`; the contract follows FastAPI, this check expects every method.
    (
        "allow_header_conformance",
        "The Allow header of a 405 lists every method of the path (opt-in; FastAPI does not).",
        "answers to OPTIONS that carry an Allow header",
        False,
        False,
        False,
    ),
    (
        "use_after_free",
        "A deleted run is not served again (stateful phase).",
        "reads of a run the stateful phase deleted",
        True,
        True,
        True,
    ),
    (
        "missing_required_header",
        "A missing required header is rejected (opt-in: the contract declares none).",
        "answers to requests missing a required header",
        False,
        False,
        False,
    ),
    (
        "response_headers_conformance",
        "Documented response headers are present and valid (opt-in: the contract has none).",
        "answers with documented headers",
        False,
        False,
        False,
    ),
    (
        "ensure_resource_availability",
        "A resource just created is available (opt-in: no operation creates a run).",
        "reads of a resource a POST just created",
        False,
        False,
        False,
    ),
):
    CHECKS.add(
        Check(
            _name,
            "schemathesis",
            _description,
            _needs_state,
            default=_default,
            judges=_judges,
            writes=_writes,
        )
    )

CHECKS.add(
    Check(
        "well_formed_answers",
        "transport",
        "Every answer arrives whole within the timeout, is at most 10 MiB decoded, decodes as "
        "its Content-Encoding says, is valid JSON when it says so, and redirects nowhere else.",
        judges="every answer, whichever phase asked",
    )
)
