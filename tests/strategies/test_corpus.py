"""``extract-contract fixtures``: the seeded corpus on disk, its index, and its refusals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import contracts
from mocks._cli import main


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["fixtures", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _tree(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.iterdir())}


def test_writes_valid_payloads_broken_ones_and_an_index(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(
        capsys, "--out", str(tmp_path), "--count", "5", "--seed", "3", "--invalid"
    )
    assert (code, err) == (0, "")
    assert "index.json" in out
    index = json.loads((tmp_path / "index.json").read_text())
    assert index["seed"] == 3
    entries = index["files"]
    assert {e["kind"] for e in entries} == {"run", "config", "file", "page"}
    assert len(entries) == 4 * 5 * 2
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [e["file"] for e in entries] + ["index.json"]
    )
    for entry in entries:
        payload = json.loads((tmp_path / entry["file"]).read_text(encoding="utf-8"))
        violations = contracts.validate(payload, entry["kind"])
        if entry["valid"]:
            assert violations == []
        else:
            assert {v.path for v in violations} == {entry["violation"]["path"]}
            assert entry["violation"]["kind"]


def test_same_seed_same_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name, seed in (("a", "7"), ("b", "7"), ("c", "8")):
        code, _, _ = _run(
            capsys, "--out", str(tmp_path / name), "--count", "4", "--seed", seed, "--invalid"
        )
        assert code == 0
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
    assert _tree(tmp_path / "a") != _tree(tmp_path / "c")


def test_kinds_are_chosen(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = _run(
        capsys,
        "--out",
        str(tmp_path),
        "--count",
        "2",
        "--seed",
        "1",
        "--kind",
        "run",
        "--kind",
        "page",
        "file",
    )
    assert code == 0
    kinds = {e["kind"] for e in json.loads((tmp_path / "index.json").read_text())["files"]}
    assert kinds == {"run", "page", "file"}


def test_schema_wide_corpus_is_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = _run(
        capsys, "--out", str(tmp_path), "--count", "20", "--seed", "2", "--schema-wide"
    )
    assert code == 0
    for entry in json.loads((tmp_path / "index.json").read_text())["files"]:
        payload = json.loads((tmp_path / entry["file"]).read_text(encoding="utf-8"))
        assert contracts.validate(payload, entry["kind"]) == []


def _corpus(out: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, bytes]:
    """Write a corpus into ``out`` and return its files."""
    code, _, err = _run(capsys, "--out", str(out), "--seed", "5", *args)
    assert (code, err) == (0, "")
    return _tree(out)


def _leftovers(out: Path) -> list[str]:
    """Entries beside ``out`` that the writer made (its fresh and old directories)."""
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def test_refuses_to_replace_a_corpus_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "fx"
    before = _corpus(out, capsys, "--count", "2")
    code, stdout, err = _run(capsys, "--out", str(out), "--count", "3", "--seed", "1")
    assert code == 2
    assert stdout == ""
    assert err.count("\n") == 1
    assert err.startswith(f"extract-contract fixtures: error: --out {out}: holds a corpus of 9 ")
    assert "index.json" in err
    assert "use --force to replace it" in err
    assert _tree(out) == before


def test_force_replaces_the_corpus_as_a_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--count 5 then --count 2 --force: the old files go, the index lists every file."""
    out = tmp_path / "fx"
    _corpus(out, capsys, "--count", "5", "--invalid")
    out.chmod(0o750)
    after = _corpus(out, capsys, "--count", "2", "--force")
    assert after == _corpus(tmp_path / "fresh", capsys, "--count", "2")
    listed = [e["file"] for e in json.loads(after["index.json"])["files"]]
    assert sorted(after) == sorted([*listed, "index.json"])
    assert out.stat().st_mode & 0o777 == 0o750
    assert _leftovers(out) == []


def test_force_replaces_a_corpus_without_an_index(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What an interrupted older version left: corpus-named files, and its temporary files."""
    (tmp_path / "run-0000.json").write_text("old")
    (tmp_path / "run-0007.json").write_text("old")
    (tmp_path / ".run-0008.json.4242.tmp").write_text("half")
    out = tmp_path
    code, _, err = _run(
        capsys, "--out", str(out), "--count", "1", "--seed", "1", "--kind", "run", "--force"
    )
    assert (code, err) == (0, "")
    assert sorted(_tree(out)) == ["index.json", "run-0000.json"]
    assert contracts.validate(json.loads((out / "run-0000.json").read_text()), "run") == []


@pytest.mark.parametrize("force", [False, True], ids=["plain", "--force"])
@pytest.mark.parametrize(
    "name", ["notes.txt", ".extract-contract-write-test", "index.json", "run-0000.json.bak"]
)
def test_a_file_that_is_not_part_of_a_corpus_is_never_deleted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, force: bool
) -> None:
    out = tmp_path / "fx"
    _corpus(out, capsys, "--count", "1", "--kind", "file")
    if name == "index.json":  # the user's own index.json in place of the corpus index
        (out / "index.json").write_text("mine")
    else:
        (out / name).write_text("mine")
    before = _tree(out)
    code, stdout, err = _run(
        capsys, "--out", str(out), "--count", "2", "--seed", "1", *(["--force"] if force else [])
    )
    assert code == 2
    assert stdout == ""
    assert err.count("\n") == 1
    assert f"--out {out}: holds '{name}'" in err
    assert "which is not part of a corpus" in err
    assert _tree(out) == before
    assert _leftovers(out) == []


def test_a_directory_of_other_files_is_refused_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "README.md").write_text("mine")
    code, _, err = _run(capsys, "--out", str(tmp_path), "--count", "1", "--seed", "1")
    assert code == 2
    assert "holds 'README.md' (and 1 more), which is not part of a corpus" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["README.md", "src"]


def test_the_current_directory_is_never_replaced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(capsys, "--out", ".", "--count", "1", "--seed", "1")
    assert code == 2
    assert "is the current directory or holds it" in err
    assert list(tmp_path.iterdir()) == []


def test_probing_the_directory_touches_no_file(tmp_path: Path) -> None:
    from mocks._cli._common import output_dir

    (tmp_path / ".extract-contract-write-test").write_text("mine")
    assert output_dir(tmp_path) == tmp_path
    assert _tree(tmp_path) == {".extract-contract-write-test": b"mine"}


@pytest.mark.parametrize("failing_call", [1, 7])
def test_a_crash_mid_write_leaves_the_old_corpus_and_nothing_else(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    failing_call: int,
) -> None:
    import strategies._corpus as corpus

    out = tmp_path / "fx"
    before = _corpus(out, capsys, "--count", "3")
    real_fsync = os.fsync
    calls = []

    def failing_fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) == failing_call:
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(corpus.os, "fsync", failing_fsync)
    code, _, err = _run(capsys, "--out", str(out), "--count", "4", "--seed", "1", "--force")
    assert code == 2
    assert "No space left on device" in err
    assert _tree(out) == before
    assert _leftovers(out) == []


def test_a_failed_swap_puts_the_old_corpus_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import strategies._corpus as corpus

    out = tmp_path / "fx"
    before = _corpus(out, capsys, "--count", "2")
    real_replace = os.replace

    def replace(src: str | Path, dst: str | Path) -> None:
        if Path(src).name.endswith(".new"):
            raise OSError(5, "Input/output error")
        real_replace(src, dst)

    monkeypatch.setattr(corpus.os, "replace", replace)
    code, _, err = _run(capsys, "--out", str(out), "--count", "3", "--seed", "1", "--force")
    assert code == 2
    assert "Input/output error" in err
    assert _tree(out) == before
    assert _leftovers(out) == []


NEXT = ("--count", "3", "--seed", "1", "--force")
_KILLED_BETWEEN_THE_RENAMES = """
import os, sys
from mocks._cli import main

real_replace, calls = os.replace, []

def replace(src, dst):
    calls.append(src)
    if len(calls) == 2:  # the new corpus into place: die first, as kill -9 would
        os._exit(9)
    real_replace(src, dst)

os.replace = replace
sys.exit(main(sys.argv[1:]))
"""


def _said(out: Path, put_back: str | None, removed: list[str]) -> set[str]:
    lines = {
        f"removed {name}, left beside {out.name} by a write that was cut off" for name in removed
    }
    if put_back is not None:
        lines.add(f"put back the corpus at {out} from {put_back}: a write was cut off")
    return {f"extract-contract fixtures: {line}" for line in lines}


def test_a_writer_killed_between_the_renames_is_put_right_by_the_next_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue: a crash between the two renames left the hidden directories and no corpus."""
    out = tmp_path / "fx"
    before = _corpus(out, capsys, "--count", "2")
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_BETWEEN_THE_RENAMES, "fixtures", "--out", str(out), *NEXT],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert killed.returncode == 9, killed.stderr
    assert not out.exists()  # the crash this is about
    old, new = sorted(_leftovers(out), key=lambda name: not name.endswith(".old"))
    assert (old.endswith(".old"), new.endswith(".new")) == (True, True)

    code, stdout, err = _run(capsys, "--out", str(out), *NEXT[:-1])
    *recovered, refused = err.splitlines()
    assert set(recovered) == _said(out, old, [new])
    assert refused.startswith(f"extract-contract fixtures: error: --out {out}: holds a corpus")
    assert (code, stdout) == (2, "")
    assert _tree(out) == before  # put back whole, and refused without --force as any corpus
    assert _leftovers(out) == []
    assert _corpus(out, capsys, "--count", "3", "--force") == _corpus(
        tmp_path / "fresh", capsys, "--count", "3"
    )


def test_a_swap_whose_way_back_fails_too_is_put_right_by_the_next_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second rename fails, and so does putting the old corpus back (a disk gone bad)."""
    import strategies._corpus as corpus

    out = tmp_path / "fx"
    before = _corpus(out, capsys, "--count", "2")
    real_replace = os.replace
    calls: list[str] = []

    def replace(src: str | Path, dst: str | Path) -> None:
        calls.append(str(src))
        if len(calls) in (2, 3):
            raise OSError(5, "Input/output error")
        real_replace(src, dst)

    monkeypatch.setattr(corpus.os, "replace", replace)
    code, _, err = _run(capsys, "--out", str(out), "--count", "3", "--seed", "1", "--force")
    monkeypatch.undo()
    assert code == 2
    assert "Input/output error" in err
    assert not out.exists()
    (old,) = _leftovers(out)  # the fresh directory is removed as the write fails
    assert old.endswith(".old")

    code, stdout, err = _run(capsys, "--out", str(out), "--count", "3", "--seed", "5", "--force")
    assert code == 0
    assert stdout == f"wrote 12 payload file(s) and index.json to {out}\n"
    assert set(err.splitlines()) == _said(out, old, [])
    assert _tree(out) == _corpus(tmp_path / "fresh", capsys, "--count", "3")
    assert _tree(out) != before
    assert _leftovers(out) == []


def test_leftovers_of_a_writer_at_work_and_files_not_of_a_corpus_are_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import fcntl

    out = tmp_path / "fx"
    before = _corpus(out, capsys, "--count", "2")
    at_work = tmp_path / ".fx.atwork00.new"
    mixed = tmp_path / ".fx.mixed000.new"
    dead = tmp_path / ".fx.dead0000.new"
    for directory in (at_work, mixed, dead):
        directory.mkdir()
        (directory / "run-0000.json").write_text("{}")
    (mixed / "notes.txt").write_text("mine")
    (dead / "index.json").write_text('{"generator": "extract-co')  # cut off mid-write
    other = tmp_path / ".fx.other.new"  # not a name a writer makes
    other.mkdir()
    fd = os.open(at_work, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # as a writer still at work holds it
    try:
        code, _, err = _run(capsys, "--out", str(out), "--count", "2", "--seed", "5")
    finally:
        os.close(fd)
    assert code == 2  # the corpus is there; no --force
    assert set(err.splitlines()[:-1]) == {
        f"extract-contract fixtures: removed {dead.name}, left beside fx by a write that was "
        "cut off",
        f"extract-contract fixtures: kept {mixed.name}, left beside fx by a write that was cut "
        "off: it holds files no corpus has",
    }
    assert not dead.exists()
    assert _tree(mixed) == {"notes.txt": b"mine"}
    assert _tree(at_work) == {"run-0000.json": b"{}"}
    assert other.is_dir()
    assert _tree(out) == before


def _fixtures_process(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "mocks._cli", "fixtures", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize(
    ("sig", "code", "said"),
    [(signal.SIGTERM, 143, "terminated"), (signal.SIGINT, 130, "interrupted")],
    ids=["SIGTERM", "Ctrl-C"],
)
@pytest.mark.parametrize("force", [True, False], ids=["--force", "new"])
def test_a_signal_mid_write_leaves_the_old_corpus_or_none(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    sig: int,
    code: int,
    said: str,
    force: bool,
) -> None:
    """A real process, stopped once it has written files into its fresh directory."""
    out = tmp_path / "fx"
    before = _corpus(out, capsys, "--count", "2") if force else {}
    process = _fixtures_process(
        "--out", str(out), "--count", "3000", "--seed", "2", "--invalid", "--force"
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            fresh = [p for p in tmp_path.iterdir() if p.name.endswith(".new")]
            if fresh and len(list(fresh[0].iterdir())) >= 3:
                break
            time.sleep(0.01)
        assert process.poll() is None, "the write ended before the signal could be sent"
        process.send_signal(sig)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == code
    assert err == f"extract-contract fixtures: {said}\n"
    assert _tree(out) == before
    assert _leftovers(out) == []


@pytest.mark.parametrize(
    ("make_out", "message"),
    [
        (lambda tmp: tmp / "a-file", "exists and is not a directory"),
        (lambda tmp: tmp / "a-file" / "below", "cannot create the directory"),
    ],
)
def test_bad_out_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make_out: object, message: str
) -> None:
    (tmp_path / "a-file").write_text("x")
    out_dir = make_out(tmp_path)  # type: ignore[operator]
    code, out, err = _run(capsys, "--out", str(out_dir), "--count", "1", "--seed", "1")
    assert code == 2
    assert out == ""
    assert message in err
    assert err.count("\n") == 1


def test_unwritable_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if os.geteuid() == 0:  # root writes anywhere chmod says not to; sysfs refuses even root
        target = Path("/sys/extract-contract-fixtures")
    else:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        target = locked / "corpus"
    code, _, err = _run(capsys, "--out", str(target), "--count", "1", "--seed", "1")
    assert code == 2
    assert err.startswith("extract-contract fixtures: error: --out ")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--count", "0", "--seed", "1"],
            "--count: expected a whole number from 1 to 100000, got '0'",
        ),
        (
            ["--count", "-1", "--seed", "1"],
            "--count: expected a whole number from 1 to 100000, got '-1'",
        ),
        (["--count", "100001", "--seed", "1"], "from 1 to 100000, got '100001'"),
        (
            ["--count", "x", "--seed", "1"],
            "--count: expected a whole number from 1 to 100000, got 'x'",
        ),
        (["--count", "9" * 5000, "--seed", "1"], "got '99999999999999999999...'"),
        (["--count", "1", "--seed", "one"], "--seed"),
        (["--count", "1", "--seed", "1", "--kind", "runs"], "--kind"),
        (["--seed", "1"], "--count"),
    ],
)
def test_bad_flags(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["fixtures", "--out", str(tmp_path), *args])
    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


# --- validate reads the corpus fixtures writes ------------------------------------------------


def _validate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["validate", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def fx(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    out = tmp_path / "fx"
    _corpus(out, capsys, "--count", "3", "--invalid")
    return out


def test_validate_takes_the_corpus_directory(fx: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _validate(capsys, str(fx))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) == 25
    assert lines[-1] == (
        f"{fx / 'index.json'}: corpus of 24 file(s), 12 valid and 12 invalid, all as the index says"
    )
    index = json.loads((fx / "index.json").read_text())
    for entry in index["files"]:
        line = next(x for x in lines if x.startswith(f"{fx / entry['file']}: "))
        if entry["valid"]:
            assert line.endswith(f": ok ({entry['kind']})")
        else:
            said = entry["violation"]
            assert line.endswith(
                f": ok (invalid {entry['kind']} as the index says: {said['path']} ({said['kind']}))"
            )


def test_validate_of_every_file_judges_each_once_by_the_index(
    fx: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`fixtures --out fx ... && validate fx/*.json` exited 2 on index.json (issue #13)."""
    names = sorted(str(p) for p in fx.glob("*.json"))
    code, out, err = _validate(capsys, *names)
    assert (code, err) == (0, "")
    assert out == _validate(capsys, str(fx))[1]
    code, out, _ = _validate(capsys, "--quiet", str(fx / "index.json"), *names)
    assert (code, out) == (0, "")


def test_validate_finds_a_corpus_that_lies(fx: Path, capsys: pytest.CaptureFixture[str]) -> None:
    index_path = fx / "index.json"
    index = json.loads(index_path.read_text())
    entries = {e["file"]: e for e in index["files"]}
    entries["run-invalid-0000.json"]["violation"]["path"] = "$.somewhere.else"
    entries["config-invalid-0000.json"]["violation"]["kind"] = "too_long"
    (fx / "file-invalid-0000.json").write_text((fx / "file-0000.json").read_text())
    (fx / "page-0001.json").write_text('{"items": []}')
    (fx / "run-0002.json").unlink()
    index_path.write_text(json.dumps(index))
    code, out, err = _validate(capsys, "-q", str(fx))
    assert code == 2
    lines = out.splitlines()
    assert lines[0].startswith(
        f"{fx / 'run-invalid-0000.json'}: NOT AS THE INDEX SAYS: it says $.somewhere.else "
    )
    assert any(
        x.startswith(f"{fx / 'config-invalid-0000.json'}: NOT AS THE INDEX SAYS") for x in lines
    )
    assert (
        f"{fx / 'file-invalid-0000.json'}: NOT INVALID: the index says this file breaks at " in out
    )
    assert f"{fx / 'page-0001.json'}: INVALID page (the index says valid), 3 violation(s)" in out
    assert lines[-1] == (
        f"{index_path}: corpus of 24 file(s), 12 valid and 12 invalid: "
        "4 not as the index says, 1 unreadable"
    )
    assert err == f"extract-contract validate: error: {fx / 'run-0002.json'}: no such file\n"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"file": "../../etc/passwd", "kind": "run", "valid": True}, "entry #0: file"),
        ({"file": "run-0000.json", "kind": "runs", "valid": True}, "kind 'runs' is not one of"),
        ({"file": "run-0000.json", "kind": "run", "valid": False}, "violation needs a path"),
        ("run-0000.json", "entry #0: must be an object"),
    ],
)
def test_validate_refuses_a_broken_index_in_one_line(
    fx: Path, capsys: pytest.CaptureFixture[str], entry: object, message: str
) -> None:
    index = json.loads((fx / "index.json").read_text())
    index["files"] = [entry]
    (fx / "index.json").write_text(json.dumps(index))
    code, out, err = _validate(capsys, str(fx))
    assert (code, out) == (2, "")
    assert err.startswith(f"extract-contract validate: error: {fx / 'index.json'}: not a corpus")
    assert message in err
    assert err.count("\n") == 1


def test_validate_a_directory_that_is_not_a_corpus(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "index.json").write_text('{"items": [], "total": 0, "skip": 0, "limit": 50}')
    code, out, err = _validate(capsys, str(tmp_path), str(tmp_path / "index.json"))
    assert code == 2
    assert out == f"{tmp_path / 'index.json'}: ok (page)\n"  # an index.json that is a payload
    assert err == (
        f"extract-contract validate: error: {tmp_path}: is a directory without a corpus "
        f"index.json; name its files ({tmp_path}/*.json)\n"
    )
