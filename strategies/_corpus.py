"""The fixture corpus: seeded payloads written to a directory as JSON files, plus an index.

The same arguments give byte-identical files. Nothing is overwritten unless asked: every name
is checked before the first file is written. Each file is written to a temporary name in the
same directory and renamed into place, so a reader never sees half a file.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from contracts import KINDS

from ._errors import BadArgument, CorpusExists
from ._invalid import sample_invalid
from ._seeded import sample

__all__ = ["INDEX", "corpus_seed", "plan_corpus", "write_corpus"]

INDEX = "index.json"


def corpus_seed(seed: int, kind: str, part: str) -> int:
    """The seed of one part (``valid``/``invalid``) of one kind, stable in every process."""
    digest = hashlib.blake2b(f"{seed}:{kind}:{part}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _dump(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def plan_corpus(
    *,
    count: int,
    seed: int,
    kinds: Sequence[str] = tuple(KINDS),
    invalid: bool = False,
    realistic: bool = True,
) -> dict[str, bytes]:
    """Every file of the corpus, by name, with its bytes (the index last)."""
    unknown = [kind for kind in kinds if kind not in KINDS]
    if unknown:
        raise BadArgument(f"unknown kind {unknown[0]!r}; the kinds are: {', '.join(KINDS)}")
    files: dict[str, bytes] = {}
    entries: list[dict[str, Any]] = []
    for kind in dict.fromkeys(kinds):  # in the order given, once each
        width = max(4, len(str(count - 1)))
        valid = sample(
            kind, seed=corpus_seed(seed, kind, "valid"), count=count, realistic=realistic
        )
        for number, payload in enumerate(valid):
            name = f"{kind}-{number:0{width}d}.json"
            files[name] = _dump(payload)
            entries.append({"file": name, "kind": kind, "valid": True})
        if invalid:
            broken = sample_invalid(
                kind, seed=corpus_seed(seed, kind, "invalid"), count=count, realistic=realistic
            )
            for number, (payload, breakage) in enumerate(broken):
                name = f"{kind}-invalid-{number:0{width}d}.json"
                files[name] = _dump(payload)
                entries.append(
                    {"file": name, "kind": kind, "valid": False, "violation": breakage.to_json()}
                )
    index = {
        "generator": "extract-contract fixtures",
        "seed": seed,
        "count": count,
        "realistic": realistic,
        "files": entries,
    }
    files[INDEX] = _dump(index)
    return files


def _write_atomically(target: Path, data: bytes) -> None:
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_corpus(
    out: Path,
    *,
    count: int,
    seed: int,
    kinds: Sequence[str] = tuple(KINDS),
    invalid: bool = False,
    realistic: bool = True,
    force: bool = False,
) -> list[Path]:
    """Write the corpus into the existing directory ``out``; returns the paths written.

    Raises :class:`CorpusExists` (before writing anything) if a file would be overwritten and
    ``force`` is not set.
    """
    files = plan_corpus(count=count, seed=seed, kinds=kinds, invalid=invalid, realistic=realistic)
    if not force:
        existing = [name for name in files if (out / name).exists()]
        if existing:
            shown = ", ".join(existing[:3]) + (", ..." if len(existing) > 3 else "")
            raise CorpusExists(
                f"{len(existing)} file(s) would be overwritten ({shown}); nothing was written"
            )
    written = []
    for name, data in files.items():
        _write_atomically(out / name, data)
        written.append(out / name)
    return written
