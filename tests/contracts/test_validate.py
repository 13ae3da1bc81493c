"""``contracts.validate`` names every violation by its JSON path; the CLI reports them."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import contracts
from contracts._readable import readable, unreadable
from contracts._validate import _quickly_valid
from mocks._cli import main
from mocks._core import loading

from .payloads import valid_page, valid_run


def test_valid_payloads_of_each_kind() -> None:
    run = valid_run()
    assert contracts.validate(run) == []
    assert contracts.validate(valid_page()) == []
    assert contracts.validate(run["config"], "config") == []
    assert contracts.validate(run["file"]) == []


@pytest.mark.parametrize(
    ("payload", "kind"),
    [
        (valid_page(), "page"),
        (valid_run(), "run"),
        (valid_run()["file"], "file"),
        ({"extraction_mode": "FAST"}, "config"),
        ({}, "config"),
    ],
)
def test_detect_kind(payload: object, kind: str) -> None:
    assert contracts.detect_kind(payload) == kind


@pytest.mark.parametrize("payload", [[1, 2], {"something": "else"}, "text"])
def test_detect_kind_refuses_what_it_cannot_tell(payload: object) -> None:
    with pytest.raises(contracts.UnknownPayloadKind, match="kind"):
        contracts.detect_kind(payload)


def test_every_violation_has_its_own_path() -> None:
    run = valid_run()
    run["status"] = "DONE"
    del run["file"]["name"]
    run["file"]["file_size"] = -5
    run["config"]["num_pages_context"] = 0
    page = {"items": [valid_run(), run], "total": 2, "skip": 0}
    found = {(v.path, v.message) for v in contracts.validate(page)}
    assert found == {
        ("$.limit", "required field is missing"),
        ("$.items[1].status", "'DONE' is not one of ['CREATED', 'PENDING', 'SUCCESS', 'ERROR']"),
        ("$.items[1].file.name", "required field is missing"),
        ("$.items[1].file.file_size", "-5 is less than the minimum of 0"),
        ("$.items[1].config.num_pages_context", "0 is less than the minimum of 1"),
    }


def test_wrong_type_of_a_nullable_field_names_the_types() -> None:
    run = valid_run()
    run["job_id"] = 7
    assert [str(v) for v in contracts.validate(run)] == [
        "$.job_id: 7 is not of type 'string' or 'null'"
    ]


def test_assert_valid_is_an_assertion_error_naming_each_place() -> None:
    run = valid_run()
    run["id"] = "nope"
    with pytest.raises(AssertionError) as info:
        contracts.assert_valid(run)
    assert isinstance(info.value, contracts.ContractViolation)
    assert "CONTRACT: the run payload breaks the contract in 1 place" in str(info.value)
    assert "$.id: 'nope' is not a 'uuid'" in str(info.value)
    contracts.assert_valid(valid_run())


def test_unknown_kind_is_rejected() -> None:
    with pytest.raises(contracts.UnknownPayloadKind, match="the kinds are: run, page"):
        contracts.validate({}, "runs")


def test_each_violation_names_its_keyword() -> None:
    run = valid_run()
    run["status"] = "DONE"
    run["id"] = "nope"
    run["job_id"] = 7
    del run["extraction_agent_id"]
    run["config"]["num_pages_context"] = 0
    found = {v.path: (v.keyword, v.constraint) for v in contracts.validate(run)}
    assert found["$.status"] == ("enum", ["CREATED", "PENDING", "SUCCESS", "ERROR"])
    assert found["$.id"] == ("format", "uuid")
    assert found["$.job_id"] == ("type", ["string", "null"])
    assert found["$.extraction_agent_id"] == ("required", None)
    assert found["$.config.num_pages_context"] == ("minimum", 1)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (float("nan"), "NaN is not a JSON number"),
        (float("inf"), "Infinity is not a JSON number"),
        (float("-inf"), "-Infinity is not a JSON number"),
        (2**1024 - 2**970, "an integer of 1024 bits is past the range of a double"),
        (-(10**5000), "an integer of 16610 bits is past the range of a double"),
    ],
    ids=["nan", "inf", "-inf", "2**1024-2**970", "-10**5000"],
)
@pytest.mark.parametrize("also_broken", [False, True])
def test_a_number_no_json_reader_holds_is_a_violation(
    value: float, message: str, also_broken: bool
) -> None:
    """On both paths: the fast one (the schema alone passes) and the one naming violations."""
    run = valid_run()
    run["data"] = {"total": 1, "rows": [{"x": value}]}
    run["file"]["file_size"] = value
    run["status"] = value
    if also_broken:
        run["id"] = "nope"
    found = [(v.path, v.message, v.keyword) for v in contracts.validate(run)]
    expected = [
        ("$.data.rows[0].x", message, "json"),
        ("$.file.file_size", message, "json"),
        ("$.status", message, "json"),
    ]
    if also_broken:
        expected.insert(2, ("$.id", "'nope' is not a 'uuid'", "format"))
    assert [(p, m[: len(message)], k) for p, m, k in found] == expected
    with pytest.raises(AssertionError, match=r"\$\.data\.rows\[0\]\.x"):
        contracts.assert_valid(run)


@pytest.mark.parametrize(
    "value", [float("nan"), float("-inf"), 10**400], ids=["nan", "-inf", "big"]
)
def test_a_bad_number_the_schema_alone_passes_is_still_found(value: float) -> None:
    run = valid_run()
    run["data"] = {"total": 1, "rows": [{"x": value}]}
    assert _quickly_valid("ExtractRun", run)  # the schema's fast path alone would say "ok"
    assert [(v.path, v.keyword) for v in contracts.validate(run)] == [("$.data.rows[0].x", "json")]


def test_the_largest_double_and_its_integer_are_fine() -> None:
    run = valid_run()
    run["data"] = {"a": 1.7976931348623157e308, "b": 2**1024 - 2**970 - 1, "c": -0.0}
    assert contracts.validate(run) == []


def test_numbers_past_a_double_break_the_official_client() -> None:
    from llama_cloud.types.extraction import ExtractRun as ClientExtractRun

    ClientExtractRun.model_rebuild()
    run = valid_run()
    run["data"] = {"total": 10**400}
    with pytest.raises(ValueError, match="data"):
        ClientExtractRun.model_validate(run)
    assert [v.path for v in contracts.validate(run)] == ["$.data.total"]


_ANY_NUMBERS = st.recursive(
    st.none()
    | st.booleans()
    | st.text(max_size=3)
    | st.floats()
    | st.integers()
    | st.sampled_from([2**1024 - 2**970, 2**1024 - 2**970 - 1, -(2**1024), 10**400]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=20,
)


def _nested(value: object, depth: int, as_object: bool) -> object:
    for _ in range(depth):
        value = {"k": value} if as_object else [value]
    return value


_ANY_VALUES = _ANY_NUMBERS | st.builds(
    _nested,
    _ANY_NUMBERS,
    st.integers(contracts.MAX_DEPTH - 6, contracts.MAX_DEPTH + 2),
    st.booleans(),
)


@settings(max_examples=500, deadline=None)
@given(_ANY_VALUES)
def test_the_fast_check_equals_the_plain_one(payload: object) -> None:
    assert readable(payload) == (list(unreadable(payload)) == [])


@pytest.mark.parametrize("depth", [contracts.MAX_DEPTH - 3, contracts.MAX_DEPTH - 2])
def test_nesting_is_a_violation_past_the_readers_bound(depth: int) -> None:
    """data is one level, each list one more: 128 levels in all are fine, 129 are not."""
    run = valid_run()
    run["data"] = {"rows": _nested(1, depth, as_object=False)}
    found = [(v.path, v.message, v.keyword) for v in contracts.validate(run)]
    if depth + 2 <= contracts.MAX_DEPTH:
        assert found == []
    else:
        assert found == [("$.data.rows" + "[0]" * depth, "nested deeper than 128 levels", "json")]


def test_a_deep_or_huge_payload_built_in_python_is_judged_in_bounds() -> None:
    run = valid_run()
    run["config"] = _nested([], 5000, as_object=False)  # no RecursionError (repr, copy)
    run["id"] = "nope"
    found = [(v.path, v.keyword) for v in contracts.validate(run)]
    assert found == [("$.config", "type"), ("$.config" + "[0]" * 127, "json"), ("$.id", "format")]
    run = valid_run()
    run["config"] = list(range(100_000))
    (violation,) = contracts.validate(run)
    assert violation.path == "$.config"
    assert len(violation.message) <= 300
    assert violation.message.endswith("is not of type 'object'")


# --- the command line -------------------------------------------------------------------------


def _write(path: Path, payload: object) -> Path:
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path


def test_cli_valid_files_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = _write(tmp_path / "run.json", valid_run())
    page = _write(tmp_path / "page.json", valid_page())
    assert main(["validate", str(run), str(page)]) == 0
    out = capsys.readouterr().out
    assert f"{run}: ok (run)" in out
    assert f"{page}: ok (page)" in out


def test_cli_invalid_file_exit_1_with_paths(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = valid_run()
    run["status"] = "DONE"
    run["created_at"] = "soon"
    bad = _write(tmp_path / "bad.json", run)
    assert main(["validate", str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}: INVALID run, 2 violation(s)" in out
    assert "  $.created_at: 'soon' is not a 'date-time'" in out
    assert "  $.status: 'DONE' is not one of" in out


def test_cli_kind_flag_overrides_detection(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _write(tmp_path / "config.json", {"extraction_mode": "FAST"})
    assert main(["validate", "--kind", "run", str(config)]) == 1
    assert "$.id: required field is missing" in capsys.readouterr().out


def test_cli_jsonl_names_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = valid_run()
    bad["from_ui"] = "no"
    lines = tmp_path / "runs.jsonl"
    lines.write_text(json.dumps(valid_run()) + "\n\n" + json.dumps(bad) + "\n", encoding="utf-8")
    assert main(["validate", str(lines)]) == 1
    out = capsys.readouterr().out
    assert f"{lines}:1: ok (run)" in out
    assert f"{lines}:3: INVALID run" in out


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, ": no such file"),
        ("{not json", ":1:2: not valid JSON (Expecting property name enclosed in double quotes"),
        (b"\xff\xfe", ": not UTF-8 text"),
        ('{"data": {"x": NaN}}', ":1:16: $.data.x: NaN is not a JSON number"),
        ("[" * 100_000, ":1:129: $[0][0]"),
        ('{"file_size": ' + "9" * 5000 + "}", ":1:15: $.file_size: an integer of 5000 digits"),
    ],
)
def test_cli_unreadable_input_exit_2_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | bytes | None, expected: str
) -> None:
    target = tmp_path / "recorded.json"
    if isinstance(content, str):
        target.write_text(content, encoding="utf-8")
    elif isinstance(content, bytes):
        target.write_bytes(content)
    assert main(["validate", str(target)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"extract-contract validate: error: {target}{expected}")
    assert len(lines[0]) < 300


def test_cli_undetectable_kind_asks_for_kind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    odd = _write(tmp_path / "odd.json", {"hello": "world"})
    assert main(["validate", str(odd)]) == 2
    assert "(use --kind)" in capsys.readouterr().err


def test_console_script_usage_error_is_one_line_exit_2() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "mocks._cli", "validate", "--kind", "nope", "x.json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "argument --kind: invalid choice: 'nope'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_cli_reports_every_bad_line_of_json_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = valid_run()
    bad["status"] = "DONE"
    lines = [
        json.dumps(valid_run()),
        "{not json",
        json.dumps(bad),
        json.dumps(valid_run()).replace('"total": 12.5', '"total": NaN'),
        "",
        json.dumps(valid_run()),
    ]
    path = tmp_path / "runs.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        f"{path}:1: ok (run)",
        f"{path}:3: INVALID run, 1 violation(s)",
        "  $.status: 'DONE' is not one of ['CREATED', 'PENDING', 'SUCCESS', 'ERROR']",
        f"{path}:6: ok (run)",
    ]
    assert err.splitlines() == [
        f"extract-contract validate: error: {path}:2:2: not valid JSON "
        "(Expecting property name enclosed in double quotes)",
        f"extract-contract validate: error: {path}:4:{lines[3].index('NaN') + 1}: "
        "$.data.total: NaN is not a JSON number",
    ]


def test_cli_a_nan_payload_is_not_ok(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "run.json"
    path.write_text(json.dumps(valid_run()).replace("12.5", "Infinity"), encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "$.data.total: Infinity is not a JSON number" in err


def _stdin(text: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mocks._cli", "validate", *args, "-"],
        input=text,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_cli_reads_json_from_stdin() -> None:
    result = _stdin(json.dumps(valid_page(), indent=2))
    assert (result.returncode, result.stdout, result.stderr) == (0, "<stdin>: ok (page)\n", "")


def test_cli_reads_json_lines_from_stdin() -> None:
    bad = valid_run()
    bad["id"] = "nope"
    text = "\n".join([json.dumps(valid_run()), json.dumps(bad), "[1,", json.dumps(valid_page())])
    result = _stdin(text + "\n")
    assert result.returncode == 2
    assert result.stdout.splitlines() == [
        "<stdin>:1: ok (run)",
        "<stdin>:2: INVALID run, 1 violation(s)",
        "  $.id: 'nope' is not a 'uuid'",
        "<stdin>:4: ok (page)",
    ]
    assert result.stderr == (
        "extract-contract validate: error: <stdin>:3:4: $[1]: not valid JSON (Expecting value)\n"
    )
    assert _stdin(json.dumps(valid_run()) + "\n" + json.dumps(valid_run())).returncode == 0


def test_cli_stdin_not_utf8_is_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mocks._cli", "validate", "-"],
        input=b'{"id": "\xff"}',
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    assert (
        result.stderr
        == b"extract-contract validate: error: <stdin>:1:9: not UTF-8 text (byte 0xff)\n"
    )


class _Endless(io.RawIOBase):
    """Standard input that never ends (``yes '{}' | validate -``); it fails the test if read
    far past the cap, rather than filling the memory."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.given = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        assert self.given <= self.limit, "standard input read far past the cap"
        view = memoryview(buffer).cast("B")
        view[:] = b" " * len(view)
        self.given += len(view)
        return len(view)


def test_cli_stdin_is_read_under_the_file_cap(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue: ``validate -`` read standard input whole, without the byte cap of files."""
    monkeypatch.setattr(loading, "MAX_FILE", 4096)
    endless = _Endless(limit=64 * 4096)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(endless)))
    assert main(["validate", "-"]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", "extract-contract validate: error: <stdin>: larger than 4 KiB\n")
    assert endless.given <= 4096 + 8192  # the cap, one byte, and the buffer's read-ahead


def test_cli_a_file_over_the_cap_is_unreadable_and_one_at_the_cap_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(loading, "MAX_FILE", 4096)
    text = json.dumps(valid_run())
    at_cap = tmp_path / "at.json"
    at_cap.write_text(text + " " * (4096 - len(text)), encoding="utf-8")
    over = tmp_path / "over.json"
    over.write_text(text + " " * (4097 - len(text)), encoding="utf-8")
    assert main(["validate", str(at_cap), str(over)]) == 2
    out, err = capsys.readouterr()
    assert out == f"{at_cap}: ok (run)\n"
    assert err == f"extract-contract validate: error: {over}: larger than 4 KiB\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(at_cap.read_bytes())))
    assert main(["validate", "-"]) == 0
    assert capsys.readouterr() == ("<stdin>: ok (run)\n", "")


def test_cli_says_when_it_guessed_a_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = _write(tmp_path / "empty.json", {})
    run = _write(tmp_path / "run.json", valid_run())
    config = _write(tmp_path / "config.json", {"extraction_mode": "FAST"})
    assert main(["validate", str(empty), str(config)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{empty}: ok (config, guessed from no keys: use --kind)",
        f"{config}: ok (config)",
    ]
    assert main(["validate", "--kind", "config", str(run), str(empty)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{run}: ok (config, as --kind says; its keys look like a run)",
        f"{empty}: ok (config)",
    ]
