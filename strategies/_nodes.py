"""The generation plan: a small tree of nodes that a JSON Schema compiles into.

One plan, two interpreters: :mod:`._sample` turns a node into a fast function over
``random.Random`` (seeded generation for the mocks and fixtures), and the Hypothesis interpreter
turns the same node into a strategy (property tests, with shrinking): :mod:`._hyp_reference`
is its plain form (the obvious strategy per node), :mod:`._hyp_tuned` the form the public
strategies use (the same values, fewer engine choices). Nodes compare by identity, so each
interpreter caches its result on the node itself.

Every node generates JSON-ready values only: ``dict`` (string keys), ``list``, ``str``, ``int``,
``float`` (finite), ``bool`` and ``None``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ._regex import Regex

__all__ = [
    "AnyOf",
    "ArrayOf",
    "Boolean",
    "Choice",
    "Const",
    "Custom",
    "Derived",
    "Draw",
    "Format",
    "Integer",
    "Json",
    "Matching",
    "Multiple",
    "Node",
    "Number",
    "OneOf",
    "Record",
    "Text",
    "canonical",
    "copy_json",
    "is_multiple",
    "unique_key",
]


class Draw(Protocol):
    """Draws one value of a node (backed by a seeded random stream or by Hypothesis)."""

    def __call__(self, node: Node, /) -> Any: ...


class Node:
    """Base of every plan node; the interpreters keep their compiled form in ``_cache``."""

    __slots__ = ("_cache",)

    def __init__(self) -> None:
        self._cache: dict[str, Any] = {}


class Const(Node):
    """Always ``value`` (a JSON value; containers are copied on every draw)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        super().__init__()
        self.value = value


class Choice(Node):
    """One of ``values`` (JSON values), shrinking towards the first."""

    __slots__ = ("values",)

    def __init__(self, values: Sequence[Any]) -> None:
        super().__init__()
        if not values:
            raise ValueError("Choice needs at least one value")
        self.values = tuple(values)


class Boolean(Node):
    """``True`` or ``False``."""

    __slots__ = ()


class Integer(Node):
    """A whole number in ``[lo, hi]`` (either bound may be open: ``None``)."""

    __slots__ = ("hi", "lo")

    def __init__(self, lo: int | None = None, hi: int | None = None) -> None:
        super().__init__()
        self.lo, self.hi = lo, hi


class Number(Node):
    """A finite float in ``[lo, hi]``; ``places`` rounds it (realistic money, scores)."""

    __slots__ = ("hi", "lo", "places")

    def __init__(
        self, lo: float | None = None, hi: float | None = None, *, places: int | None = None
    ) -> None:
        super().__init__()
        self.lo, self.hi, self.places = lo, hi, places


class Text(Node):
    """A string of ``min_size`` to ``max_size`` characters.

    ``style`` is ``"any"`` (all of Unicode but surrogates: schema-wide) or ``"words"`` (a few
    English words: realistic), padded or cut to fit the size bounds either way.
    """

    __slots__ = ("max_size", "min_size", "style")

    def __init__(self, min_size: int = 0, max_size: int | None = None, style: str = "any") -> None:
        super().__init__()
        self.min_size, self.max_size, self.style = min_size, max_size, style


class Matching(Node):
    """A string that the pattern ``regex`` accepts, of ``min_size`` to ``max_size`` characters
    (``style`` as for :class:`Text`: tamer characters when ``"words"``)."""

    __slots__ = ("max_size", "min_size", "regex", "style")

    def __init__(
        self, regex: Regex, min_size: int = 0, max_size: int | None = None, style: str = "any"
    ) -> None:
        super().__init__()
        self.regex, self.min_size, self.max_size, self.style = regex, min_size, max_size, style

    def fits(self, value: str) -> bool:
        """Whether ``value`` is a value of this node."""
        return (
            self.min_size <= len(value)
            and (self.max_size is None or len(value) <= self.max_size)
            and self.regex.accepts(value)
        )


class Multiple(Node):
    """A multiple of ``of``: ``k * of`` for a whole ``k`` in ``[lo, hi]`` (see :meth:`value`)."""

    __slots__ = ("fallback", "hi", "lo", "of")

    def __init__(self, of: int | float, lo: int, hi: int, fallback: int | float) -> None:
        super().__init__()
        self.of, self.lo, self.hi, self.fallback = of, lo, hi, fallback

    def value(self, k: int) -> int | float:
        """``k * of``, or the nearest product (within a few steps of ``k``) that every
        validator calls a multiple of ``of``; else :attr:`fallback`, a product known to be."""
        for step in range(12):
            for near in (k + step, k - step) if step else (k,):
                if self.lo <= near <= self.hi:
                    value = self.product(near)
                    if is_multiple(value, self.of):
                        return value
        return self.fallback

    def product(self, k: int) -> int | float:
        """``k * of``, rounded to the decimal places of ``of`` (``3 * 0.1`` is ``0.3``)."""
        if isinstance(self.of, int):
            return k * self.of
        text = repr(self.of)
        places = len(text.split(".")[1]) if "." in text and "e" not in text else None
        return round(k * self.of, places) if places is not None else k * self.of


def is_multiple(value: int | float, of: int | float) -> bool:
    """Whether ``value`` is a multiple of ``of`` for python-jsonschema (float division) and
    for validators that compute in decimal (its digits as written)."""
    if isinstance(of, float):
        try:
            quotient = value / of
            if int(quotient) != quotient:
                return False
        except OverflowError:
            return False
    elif value % of:
        return False
    return (Fraction(Decimal(repr(value))) / Fraction(Decimal(repr(of)))).denominator == 1


class Format(Node):
    """A string in a named format: ``uuid``, ``date-time``, ``date``, ``time``, ``email``,
    ``uri``, ``ipv4`` or ``duration``."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


class AnyOf(Node):
    """A value of one of ``options``, shrinking towards the first option."""

    __slots__ = ("options",)

    def __init__(self, options: Sequence[Node]) -> None:
        super().__init__()
        if not options:
            raise ValueError("AnyOf needs at least one option")
        self.options = tuple(options)


class OneOf(Node):
    """A value of one of ``options`` that no other option accepts: ``others[i](value)`` says
    whether a branch other than ``i`` accepts a value of option ``i`` (JSON Schema's oneOf)."""

    __slots__ = ("options", "others", "where")

    def __init__(
        self, options: Sequence[Node], others: Sequence[Callable[[Any], bool]], where: str
    ) -> None:
        super().__init__()
        self.options, self.others, self.where = tuple(options), tuple(others), where


class ArrayOf(Node):
    """A list of ``min_size`` to ``max_size`` values: the first from ``prefix`` (one node a
    position), the rest of ``item`` (``None``: no more than the prefix); ``unique``: no two equal
    (as JSON Schema's ``uniqueItems`` compares, see :func:`unique_key`)."""

    __slots__ = ("item", "max_size", "min_size", "prefix", "unique")

    def __init__(
        self,
        item: Node | None,
        min_size: int = 0,
        max_size: int = 8,
        *,
        prefix: Sequence[Node] = (),
        unique: bool = False,
    ) -> None:
        super().__init__()
        self.item, self.min_size, self.max_size = item, min_size, max(min_size, max_size)
        self.prefix, self.unique = tuple(prefix), unique
        if item is None:
            self.max_size = min(self.max_size, len(self.prefix))

    def position(self, index: int) -> Node:
        """The node of the value at ``index``."""
        if index < len(self.prefix):
            return self.prefix[index]
        assert self.item is not None, "past the prefix of an array without items"
        return self.item


class Record(Node):
    """An object: every ``required`` key, each ``optional`` key or not, and extra keys.

    ``extra`` (a node, or ``None`` for no extra keys) gives the values of up to ``max_extra``
    further keys whose names come from ``extra_keys`` (never one of the named keys).
    """

    __slots__ = ("extra", "extra_keys", "max_extra", "optional", "required")

    def __init__(
        self,
        required: Sequence[tuple[str, Node]] = (),
        optional: Sequence[tuple[str, Node]] = (),
        *,
        extra: Node | None = None,
        extra_keys: Node | None = None,
        max_extra: int = 2,
    ) -> None:
        super().__init__()
        self.required = tuple(required)
        self.optional = tuple(optional)
        self.extra = extra
        self.extra_keys = extra_keys if extra_keys is not None else Text(1, 12)
        self.max_extra = max_extra if extra is not None else 0

    def names(self) -> list[str]:
        """The named keys, required first."""
        return [name for name, _ in self.required] + [name for name, _ in self.optional]

    def field(self, name: str) -> Node:
        """The node of the named key ``name`` (KeyError if there is none)."""
        for key, node in (*self.required, *self.optional):
            if key == name:
                return node
        raise KeyError(name)


class Json(Node):
    """Any JSON value, nested up to ``depth`` containers deep (``realistic`` keeps it tame)."""

    __slots__ = ("depth", "realistic")

    def __init__(self, depth: int = 2, *, realistic: bool = False) -> None:
        super().__init__()
        self.depth, self.realistic = depth, realistic


class Custom(Node):
    """A value made by ``sample(rng)`` for seeded generation and ``strategy()`` for Hypothesis.

    For realistic primitives (a page range, a file name) whose shape no schema keyword says.
    """

    __slots__ = ("sample", "strategy")

    def __init__(self, sample: Callable[[Any], Any], strategy: Callable[[], Any]) -> None:
        super().__init__()
        self.sample, self.strategy = sample, strategy


class Derived(Node):
    """An object drawn in two steps: ``base``, then ``derive(value, draw)`` completes it.

    ``derive`` gets the base object (a fresh dict it may change) and a ``draw`` function for
    further nodes, and returns the finished object. It is how coherence (``ERROR`` runs carry
    ``error``, ``created_at <= updated_at``) is written once for both interpreters.
    ``draws=False`` promises that ``derive`` never draws (a plain function of the base).
    """

    __slots__ = ("base", "derive", "draws")

    def __init__(
        self,
        base: Node,
        derive: Callable[[dict[str, Any], Draw], dict[str, Any]],
        *,
        draws: bool = True,
    ) -> None:
        super().__init__()
        self.base, self.derive, self.draws = base, derive, draws


def copy_json(value: Any) -> Any:
    """A deep copy of a JSON value (faster than ``copy.deepcopy`` for plain data)."""
    if isinstance(value, dict):
        return {k: copy_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_json(v) for v in value]
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def unique_key(value: Any) -> str:
    """Equal for two JSON values exactly when ``uniqueItems`` calls them equal (``1`` and
    ``1.0`` are, ``true`` and ``1`` are not)."""
    return canonical(_plain(value))


def canonical(value: Any) -> str:
    """The canonical JSON text of ``value`` (sorted keys), for cache keys."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))
