"""The fixture corpus: seeded payloads written to a directory as JSON files, plus an index.

The same arguments give byte-identical files. A corpus is written whole or not at all: every
file goes into a fresh directory beside the target, which is then renamed into place (with
SIGINT and SIGTERM held back for the two renames), so an interruption or a crash leaves the old
corpus or the new one, never a mix, and nothing half-written. Nothing is overwritten unless
asked (``force``), and a file that is not part of a corpus is never deleted: the target must be
new, empty, or hold a corpus and nothing else.

A process that dies outright (``kill -9``, a power cut) leaves its hidden directories beside the
target: the fresh one (``.fx.k2j3h4l5.new``) and, if it died between the two renames, the old
corpus moved aside (``.fx.q8w7e6r5.old/corpus``) and no corpus at ``fx``. The next write
recovers first (:func:`_recover`): a complete old corpus goes back where it was when the target
is missing or empty, and the leftovers' corpus files are removed. Each writer holds an
exclusive ``flock`` on its own hidden directories while it lives, so a leftover is told from a
writer still at work (a crashed process's locks are released by the kernel); without ``flock``
(Windows) leftovers are left alone.

A file is part of a corpus if it is the directory's ``index.json`` (a corpus index, by its
``generator``) or listed in it, or if its name is one ``fixtures`` writes (``run-0003.json``,
``page-invalid-0000.json``, and the ``.NAME.PID.tmp`` files that versions before the swap could
leave behind).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contracts import KINDS, UnreadableJson, load_json

from ._errors import BadArgument, CorpusExists, NotACorpus
from ._invalid import Breakage, sample_invalid
from ._seeded import sample

__all__ = [
    "CORPUS_INDEX",
    "GENERATOR",
    "IndexEntry",
    "corpus_files",
    "corpus_seed",
    "plan_corpus",
    "read_index",
    "write_corpus",
]

CORPUS_INDEX = "index.json"
"""The name of a corpus's index, in its directory."""
GENERATOR = "extract-contract fixtures"
"""The ``generator`` of every index this module writes: what tells an index from a payload."""

_NAME = re.compile(r"(?:run|config|file|page)(?:-invalid)?-[0-9]{4,}\.json")
_OLD_TMP = re.compile(
    r"\.(?:index|(?:run|config|file|page)(?:-invalid)?-[0-9]{4,})\.json\.[0-9]+\.tmp"
)


@dataclass(frozen=True)
class IndexEntry:
    """One file of a corpus as its index lists it: its name (in the corpus directory), its kind,
    whether it is valid, and for an invalid one the :class:`~strategies.Breakage` it has."""

    file: str
    kind: str
    valid: bool
    violation: Breakage | None = None


def corpus_seed(seed: int, kind: str, part: str) -> int:
    """The seed of one part (``valid``/``invalid``) of one kind, stable in every process."""
    digest = hashlib.blake2b(f"{seed}:{kind}:{part}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _dump(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _check_kinds(kinds: Sequence[str]) -> None:
    unknown = [kind for kind in kinds if kind not in KINDS]
    if unknown:
        raise BadArgument(f"unknown kind {unknown[0]!r}; the kinds are: {', '.join(KINDS)}")


def corpus_files(
    *,
    count: int,
    seed: int,
    kinds: Sequence[str] = tuple(KINDS),
    invalid: bool = False,
    realistic: bool = True,
) -> Iterator[tuple[str, bytes]]:
    """Every file of the corpus as ``(name, bytes)``, made one kind at a time, the index last."""
    _check_kinds(kinds)
    entries: list[dict[str, Any]] = []
    width = max(4, len(str(count - 1)))
    for kind in dict.fromkeys(kinds):  # in the order given, once each
        valid = sample(
            kind, seed=corpus_seed(seed, kind, "valid"), count=count, realistic=realistic
        )
        for number, payload in enumerate(valid):
            name = f"{kind}-{number:0{width}d}.json"
            entries.append({"file": name, "kind": kind, "valid": True})
            yield name, _dump(payload)
        if invalid:
            broken = sample_invalid(
                kind, seed=corpus_seed(seed, kind, "invalid"), count=count, realistic=realistic
            )
            for number, (payload, breakage) in enumerate(broken):
                name = f"{kind}-invalid-{number:0{width}d}.json"
                entries.append(
                    {"file": name, "kind": kind, "valid": False, "violation": breakage.to_json()}
                )
                yield name, _dump(payload)
    index = {
        "generator": GENERATOR,
        "seed": seed,
        "count": count,
        "realistic": realistic,
        "files": entries,
    }
    yield CORPUS_INDEX, _dump(index)


def plan_corpus(
    *,
    count: int,
    seed: int,
    kinds: Sequence[str] = tuple(KINDS),
    invalid: bool = False,
    realistic: bool = True,
) -> dict[str, bytes]:
    """Every file of the corpus, by name, with its bytes (the index last)."""
    return dict(
        corpus_files(count=count, seed=seed, kinds=kinds, invalid=invalid, realistic=realistic)
    )


# -- reading an index --------------------------------------------------------------------------


def read_index(value: Any) -> list[IndexEntry] | None:
    """The entries of a corpus index (parsed JSON), or None if ``value`` is not one (its
    ``generator`` is not :data:`GENERATOR`); :class:`BadArgument` names the first entry that is
    not an entry (by its number)."""
    if not isinstance(value, dict) or value.get("generator") != GENERATOR:
        return None
    files = value.get("files")
    if not isinstance(files, list):
        raise BadArgument('"files" must be a list of entries')
    entries = []
    for number, entry in enumerate(files):
        where = f"entry #{number}"
        if not isinstance(entry, dict):
            raise BadArgument(f"{where}: must be an object")
        name, kind, valid = entry.get("file"), entry.get("kind"), entry.get("valid")
        if not isinstance(name, str) or not _plain_name(name):
            raise BadArgument(f"{where}: file {name!r} must be a file name in the corpus")
        if kind not in KINDS:
            raise BadArgument(f"{where} ({name}): kind {kind!r} is not one of {', '.join(KINDS)}")
        if not isinstance(valid, bool):
            raise BadArgument(f"{where} ({name}): valid must be true or false")
        breakage = None
        if not valid:
            found = entry.get("violation")
            if not isinstance(found, dict) or not all(
                isinstance(found.get(key), str) for key in ("path", "kind", "detail")
            ):
                raise BadArgument(
                    f"{where} ({name}): an invalid file's violation needs a path, kind and detail"
                )
            breakage = Breakage(found["path"], found["kind"], found["detail"])
        entries.append(IndexEntry(name, str(kind), valid, breakage))
    return entries


def _plain_name(name: str) -> bool:
    return bool(name) and name not in (".", "..") and "/" not in name and "\\" not in name


# -- writing -----------------------------------------------------------------------------------


def _survey(out: Path) -> tuple[list[str], list[str]]:
    """(corpus files, other entries) in the directory ``out`` (empty lists if it is missing)."""
    try:
        names = sorted(os.listdir(out))
    except FileNotFoundError:
        return [], []
    listed: set[str] | None = None  # None: no index.json that is a corpus index
    if CORPUS_INDEX in names:
        with contextlib.suppress(OSError, UnreadableJson, BadArgument):
            entries = read_index(load_json((out / CORPUS_INDEX).read_bytes()))
            listed = None if entries is None else {entry.file for entry in entries}
    ours, theirs = [], []
    for name in names:
        if name == CORPUS_INDEX:
            mine = listed is not None
        else:
            mine = bool(
                (listed and name in listed) or _NAME.fullmatch(name) or _OLD_TMP.fullmatch(name)
            )
        if mine and (out / name).is_file() and not (out / name).is_symlink():
            ours.append(name)
        else:
            theirs.append(name)
    return ours, theirs


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block is over (where the platform allows)."""
    held = {signal.SIGINT, signal.SIGTERM}
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - Windows
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _hidden(out: Path, suffix: str) -> Path:
    """A new empty hidden directory beside ``out`` (``.NAME.XXXXXXXX.new`` or ``.old``)."""
    return Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=suffix, dir=out.parent))


def _lock(path: Path) -> int | None:
    """An open descriptor of the directory ``path`` holding an exclusive ``flock`` on it, or
    None if another process holds one (or the platform has no ``flock``): close it to let go."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return None
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def _fresh_directory(out: Path, locks: list[int]) -> Path:
    """A new empty directory beside the directory ``out``, with its permissions, locked
    (its descriptor added to ``locks``) for as long as this writer lives."""
    staging = _hidden(out, ".new")
    fd = _lock(staging)
    if fd is not None:
        locks.append(fd)
    staging.chmod(out.stat().st_mode & 0o7777)
    return staging


def _swap_in(staging: Path, out: Path, locks: list[int]) -> None:
    """Put ``staging`` where ``out`` is, and remove the corpus ``out`` held."""
    with _signals_held():
        ours, theirs = _survey(out)
        if theirs:  # something appeared while the corpus was being made
            raise NotACorpus(out, theirs)
        if not ours:
            os.replace(staging, out)  # out is empty: one atomic rename
            return
        trash = _hidden(out, ".old")
        fd = _lock(trash)
        if fd is not None:
            locks.append(fd)
        os.replace(out, trash / "corpus")
        try:
            os.replace(staging, out)
        except BaseException:
            os.replace(trash / "corpus", out)  # the old corpus back where it was
            os.rmdir(trash)
            raise
        _remove(trash, ours)


def _complete(corpus: Path) -> bool:
    """Whether the directory ``corpus`` holds a corpus index and every file it lists."""
    try:
        entries = read_index(load_json((corpus / CORPUS_INDEX).read_bytes()))
    except (OSError, UnreadableJson, BadArgument):
        return False
    return entries is not None and all((corpus / e.file).is_file() for e in entries)


def _clear(directory: Path, names: list[str]) -> bool:
    """Delete ``names`` in ``directory``, then the directory if that left it empty (or it is
    gone already); False if something else is still in it."""
    for name in names:
        (directory / name).unlink(missing_ok=True)
    try:
        os.rmdir(directory)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return True


def _files_written(directory: Path) -> list[str]:
    """The files in a fresh directory that a writer puts there (payloads and the index)."""
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return []
    return [
        name
        for name in names
        if (_NAME.fullmatch(name) or name == CORPUS_INDEX)
        and (directory / name).is_file()
        and not (directory / name).is_symlink()
    ]


def _recover(out: Path, say: Callable[[str], None]) -> None:
    """Put right what a writer that died outright left beside ``out`` (see the module
    docstring), saying what it did in one line each."""
    shape = re.compile(rf"\.{re.escape(out.name)}\.[a-z0-9_]{{8}}\.(new|old)")
    try:
        names = sorted(os.listdir(out.parent))
    except OSError:
        return
    found = [(m.group(1), out.parent / m.group(0)) for m in map(shape.fullmatch, names) if m]
    olds = sorted(
        (path for kind, path in found if kind == "old" and _complete(path / "corpus")),
        key=lambda path: path.stat().st_mtime,
    )
    for kind, path in found:
        try:
            fd = _lock(path) if path.is_dir() and not path.is_symlink() else None
        except OSError:  # gone meanwhile, or not ours to open
            fd = None
        if fd is None:  # a writer at work, or not a directory of ours
            continue
        try:
            if kind == "old" and path == (olds[-1] if olds else None) and _missing(out):
                os.replace(path / "corpus", out)
                os.rmdir(path)
                say(f"put back the corpus at {out} from {path.name}: a write was cut off")
                continue
            if kind == "old":  # the old corpus, moved aside whole (or partly removed)
                done = _clear(path / "corpus", _survey(path / "corpus")[0]) and _clear(path, [])
            else:
                done = _clear(path, _files_written(path))
            left = f"{path.name}, left beside {out.name} by a write that was cut off"
            say(f"removed {left}" if done else f"kept {left}: it holds files no corpus has")
        finally:
            os.close(fd)


def _missing(out: Path) -> bool:
    """Whether ``out`` is missing, or an empty directory (as ``fixtures`` makes it first)."""
    try:
        return out.is_dir() and not out.is_symlink() and not os.listdir(out)
    except FileNotFoundError:
        return True


def _remove(trash: Path, names: list[str]) -> None:
    """Delete the old corpus moved to ``trash``: only the files surveyed (one that arrived
    since stays, in the trash)."""
    for name in names:
        (trash / "corpus" / name).unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        os.rmdir(trash / "corpus")
        os.rmdir(trash)


def write_corpus(
    out: Path,
    *,
    count: int,
    seed: int,
    kinds: Sequence[str] = tuple(KINDS),
    invalid: bool = False,
    realistic: bool = True,
    force: bool = False,
    on_recovery: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write the corpus as the directory ``out``, whole or not at all; returns its files.

    ``out`` may be missing (it is made, empty, first), empty, or hold a corpus (replaced as a
    whole, with ``force``). What a writer that died outright left beside it is put right first
    (the old corpus put back, leftovers removed: see the module docstring), and
    ``on_recovery`` is told of each step in one line.
    Raises, before writing anything, :class:`CorpusExists` if ``out`` holds a corpus and
    ``force`` is not set, :class:`NotACorpus` if it holds anything that is not part of one,
    and :class:`BadArgument` if ``out`` is the current directory or one above it (replacing
    it would leave the shell in a deleted directory).
    """
    _check_kinds(kinds)
    out = Path(os.path.abspath(out))
    if out.is_symlink():
        out = out.resolve()
    here = Path.cwd().resolve()
    if out.exists() and (out.resolve() == here or out.resolve() in here.parents):
        raise BadArgument(
            f"{out} is the current directory or holds it; the corpus directory is replaced as a "
            "whole, so write it into a sub-directory"
        )
    _recover(out, on_recovery or (lambda line: None))
    ours, theirs = _survey(out)
    if theirs:
        raise NotACorpus(out, theirs)
    if ours and not force:
        raise CorpusExists(out, sorted(ours, key=lambda name: (name != CORPUS_INDEX, name)))
    out.mkdir(parents=True, exist_ok=True)
    locks: list[int] = []
    staging = _fresh_directory(out, locks)
    try:
        names = []
        for name, data in corpus_files(
            count=count, seed=seed, kinds=kinds, invalid=invalid, realistic=realistic
        ):
            with open(staging / name, "xb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            names.append(name)
        _swap_in(staging, out, locks)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
        for fd in locks:
            os.close(fd)
    return [out / name for name in names]
