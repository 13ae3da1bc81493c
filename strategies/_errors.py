"""Errors raised by ``strategies``.

StrategiesError              base of every error this package raises
 ├── UnsupportedSchema       a JSON Schema uses a keyword (or a format) that the schema
 │                           compiler cannot generate values for; names the keyword and where
 ├── BadArgument             :func:`strategies.sample` or the corpus writer got an unknown kind,
 │                           an unknown field, or a value of the wrong sort
 ├── CorpusExists            writing a fixture corpus would replace one (and ``force`` is not
 │                           set); nothing was written
 └── NotACorpus              the corpus directory holds a file that is not part of a corpus,
                             which is never deleted; nothing was written

Hypothesis strategies never raise these at definition time: a bad argument is reported as
``hypothesis.errors.InvalidArgument`` (with the same message) when the first value is drawn,
as Hypothesis's own API style asks.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["BadArgument", "CorpusExists", "NotACorpus", "StrategiesError", "UnsupportedSchema"]


class StrategiesError(Exception):
    """Base class of every error raised by ``strategies``."""


class UnsupportedSchema(StrategiesError, ValueError):
    """A JSON Schema uses a keyword the compiler cannot generate from; ``keyword`` names it."""

    def __init__(self, keyword: str, where: str, detail: str = "") -> None:
        self.keyword = keyword
        self.where = where
        self.detail = detail
        extra = f" ({detail})" if detail else ""
        super().__init__(
            f"STRATEGIES: cannot generate values for the JSON Schema keyword {keyword!r} at "
            f"{where}{extra}; supported are type, enum, const, local $ref, anyOf, oneOf, allOf, "
            "min/maxLength, pattern, minimum/maximum (and exclusive), multipleOf, items, "
            "prefixItems, min/maxItems, uniqueItems, properties, required, "
            "additionalProperties, patternProperties, min/maxProperties, and the formats uuid, "
            "date-time, date, time, email, uri, ipv4 and duration"
        )


class BadArgument(StrategiesError, ValueError):
    """An argument that cannot be used: an unknown kind or field, a value of the wrong sort."""


class CorpusExists(StrategiesError, FileExistsError):
    """The directory holds a corpus and ``force`` is not set; nothing was written.

    ``directory`` is the corpus directory, ``names`` the corpus files it holds."""

    def __init__(self, directory: Path, names: list[str]) -> None:
        self.directory = directory
        self.names = tuple(names)
        shown = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
        super().__init__(f"holds a corpus of {len(names)} file(s) ({shown}); nothing was written")


class NotACorpus(StrategiesError, FileExistsError):
    """The directory holds entries that are not part of a corpus (never deleted): nothing was
    written. ``directory`` is the corpus directory, ``names`` those entries (the first named)."""

    def __init__(self, directory: Path, names: list[str]) -> None:
        self.directory = directory
        self.names = tuple(names)
        more = f" (and {len(names) - 1} more)" if len(names) > 1 else ""
        super().__init__(
            f"holds {names[0]!r}{more}, which is not part of a corpus; a corpus is written "
            "into a new or empty directory, or over a corpus alone"
        )
