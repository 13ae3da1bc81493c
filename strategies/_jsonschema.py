"""hypothesis-jsonschema as the engine for user extraction schemas our compiler does not cover.

Our compiler (:mod:`._compile`) generates from the contract's own schemas and from typical
extraction schemas. When a user's ``data_schema=`` uses a keyword it does not know (``not``,
``if``/``then``/``else``, ``contains``, ``propertyNames``, ``dependentRequired``, ...), the data
is delegated to
``hypothesis_jsonschema.from_schema``, with ``uuid`` supplied as a custom format, provided a
one-time probe shows that hypothesis-jsonschema works with the installed Hypothesis. Its newest
release (0.23.1) fails on every object schema with Hypothesis >= 6.170.10 (it uses a private
Hypothesis API that changed); then the strategy raises ``InvalidArgument`` naming the keyword
and the reason, when the first value is drawn.
"""

from __future__ import annotations

import warnings
from functools import cache
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ._compile import unsupported_keywords
from ._errors import UnsupportedSchema
from ._nodes import Custom, Node
from ._plans import UserData, data_node

__all__ = ["delegation_status", "user_data"]

_PROBE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"n": {"type": "integer", "minimum": 0}, "id": {"format": "uuid"}},
    "required": ["n", "id"],
}


def _custom_formats() -> dict[str, st.SearchStrategy[str]]:
    return {"uuid": st.uuids().map(str)}


@cache
def delegation_status() -> tuple[bool, str]:
    """``(works, why)``: whether ``hypothesis_jsonschema.from_schema`` generates an object here.

    Probed once per process by drawing from a small object schema with ``hypothesis.find``.
    """
    from importlib.metadata import version

    from hypothesis import HealthCheck, find, settings

    versions = (
        f"hypothesis-jsonschema {version('hypothesis-jsonschema')}, "
        f"hypothesis {version('hypothesis')}"
    )
    try:
        from hypothesis_jsonschema import from_schema

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = find(
                from_schema(_PROBE_SCHEMA, custom_formats=_custom_formats()),
                lambda value: True,
                settings=settings(
                    database=None, max_examples=10, suppress_health_check=list(HealthCheck)
                ),
            )
    except Exception as exc:  # any failure of the third-party engine means "do not use it"
        return False, f"{versions}: {type(exc).__name__}: {exc}"
    if not isinstance(found, dict):
        return False, f"{versions}: the probe drew {found!r}, not an object"
    return True, versions


def _delegated(schema: Any) -> st.SearchStrategy[Any]:
    from hypothesis_jsonschema import from_schema

    return from_schema(schema, custom_formats=_custom_formats()).filter(
        lambda value: isinstance(value, dict)
    )


def _cannot_sample(rng: Any) -> Any:
    raise UnsupportedSchema("(delegated)", "$", "seeded generation needs the own compiler")


def user_data(schema: Any, *, realistic: bool) -> UserData:
    """The plan of one extracted object under the user's ``schema``, for strategies.

    Our compiler when it covers the schema, else (for keywords our compiler does not know)
    hypothesis-jsonschema when it works here, else ``InvalidArgument`` naming the keyword. A
    keyword our compiler knows but cannot honour where it is used (a pattern with a lookbehind,
    an allOf whose branches conflict) is ``InvalidArgument`` with our error's words.
    """
    try:
        node: Node = data_node(schema, realistic)
    except UnsupportedSchema as exc:
        if not isinstance(schema, dict) or schema.get("type") != "object":
            raise InvalidArgument(
                f"data_schema= must describe a JSON object with type: object ({exc})"
            ) from None
        unknown = unsupported_keywords(schema)
        if not unknown:  # keywords we know, used in a way no generator honours (a lookbehind)
            raise InvalidArgument(f"data_schema=: {exc}") from None
        works, why = delegation_status()
        if not works:
            keywords = ", ".join(sorted({k for k, _ in unknown}))
            raise InvalidArgument(
                f"data_schema= uses {keywords or exc.keyword}, which our schema compiler does "
                f"not generate, and hypothesis-jsonschema (the engine for such schemas) does "
                f"not run here ({why}). Simplify the schema or use a Hypothesis version that "
                "hypothesis-jsonschema supports."
            ) from None
        node = Custom(_cannot_sample, lambda: _delegated(schema))
    return UserData(schema, node)
