"""``extract-contract fixtures``: the seeded corpus on disk, its index, and its refusals."""

from __future__ import annotations

import json
import os
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


def test_refuses_to_overwrite_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "index.json").write_text("mine")
    code, out, err = _run(capsys, "--out", str(tmp_path), "--count", "2", "--seed", "1")
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "--out" in err
    assert "--force" in err
    assert "index.json" in err
    assert [p.name for p in tmp_path.iterdir()] == ["index.json"]
    assert (tmp_path / "index.json").read_text() == "mine"


def test_force_overwrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "run-0000.json").write_text("old")
    code, _, _ = _run(
        capsys, "--out", str(tmp_path), "--count", "1", "--seed", "1", "--kind", "run", "--force"
    )
    assert code == 0
    assert contracts.validate(json.loads((tmp_path / "run-0000.json").read_text()), "run") == []


def test_each_file_is_written_atomically(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure mid-way leaves whole files and no temporary ones behind."""
    import strategies._corpus as corpus

    real_replace = os.replace
    calls = []

    def failing_replace(src: str | Path, dst: str | Path) -> None:
        calls.append(dst)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(corpus.os, "replace", failing_replace)
    code, _, err = _run(
        capsys, "--out", str(tmp_path), "--count", "4", "--seed", "1", "--kind", "run"
    )
    assert code == 2
    assert "No space left on device" in err
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["run-0000.json", "run-0001.json"]
    for name in names:
        json.loads((tmp_path / name).read_text())


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
        (["--count", "0", "--seed", "1"], "--count"),
        (["--count", "x", "--seed", "1"], "--count"),
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
