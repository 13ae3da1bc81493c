"""Every numeric flag of every command has one range, and one message for every way to miss it
(issue #13, items 2 and 5: ``serve --port 70000`` printed a traceback; ``--count -1`` said
">= 0" while ``--count 0`` said ">= 1").

The test walks the parsers themselves, so a flag added later is checked too: a number read
by plain ``int``/``float`` (or any type but the shared ones) fails here.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mocks._cli import build_parser, main
from mocks._cli._common import NEGATIVE_NUMBER, Number

# what each command needs besides the flag under test, to parse as far as its values
REQUIRED = {
    "fixtures": ["--out", "unused", "--count", "1", "--seed", "1"],
    "schema": ["--out", "unused"],
    "validate": ["unused.json"],
    "proxy": ["--upstream", "http://127.0.0.1:9"],
    "drift": ["unused"],
}
# values no numeric flag takes: every range is finite, from 0 or above, below 10**19 + 1
NEVER = ["nan", "NaN", "inf", "-inf", "infinity", "-1", "1e309", "-1e309"]
NEVER += ["99999999999999999999", "x", "", " ", "0x10", "1" * 5000]
OTHER_TYPES = (None, Path)  # the non-numeric types a flag may have (text, a path)
# negative numbers argparse's own matcher takes for options
NEGATIVE = ["-inf", "-Infinity", "-nan", "-1e309", "-1e3", "-.5", "-1_000", "-1.", "-2.5E-3"]


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def _numeric_flags() -> list[tuple[str, str, Number]]:
    found = []
    for command, parser in _commands().items():
        for action in parser._actions:
            if isinstance(action.type, Number):
                found.append((command, action.option_strings[-1], action.type))
    return found


FLAGS = _numeric_flags()
IDS = [f"{command} {flag}" for command, flag, _ in FLAGS]


def test_every_number_is_read_by_a_shared_type() -> None:
    for command, parser in _commands().items():
        for action in parser._actions:
            if action.type is None or isinstance(action.type, Number):
                continue
            assert action.type in OTHER_TYPES, (command, action.option_strings, action.type)
    flags = {(command, flag) for command, flag, _ in FLAGS}
    # the numbers of the commands a user runs most; every one must be among the walked flags
    assert {("serve", "--port"), ("serve", "--latency"), ("serve", "--error-rate")} <= flags
    assert {("conform", "--timeout"), ("conform", "--rate"), ("fixtures", "--count")} <= flags
    assert {("proxy", "--port"), ("proxy", "--max-body"), ("proxy", "--timeout")} <= flags
    assert ("drift", "--timeout") in flags
    # serve 10, conform 7, fixtures 2, proxy 3, drift 1 (schema and validate: none)
    assert len(flags) >= 23


def _out_of_range(number: Number) -> list[str]:
    below = number.low - 1 if number.whole else number.low - 0.5
    above = number.high + 1 if number.whole else number.high * 2 + 1
    values = [str(below), str(above)]
    if number.above_low:
        values.append(str(number.low))
    if number.whole:
        values += ["1.5", "1e3"]
    return values


@pytest.mark.parametrize(("command", "flag", "number"), FLAGS, ids=IDS)
def test_a_bad_value_is_one_line_naming_the_flag_and_the_range_and_exit_2(
    command: str, flag: str, number: Number, capsys: pytest.CaptureFixture[str]
) -> None:
    for value in NEVER + _out_of_range(number):
        with pytest.raises(SystemExit) as raised:
            main([command, *REQUIRED.get(command, []), f"{flag}={value}"])
        assert raised.value.code == 2, value
        out, err = capsys.readouterr()
        assert out == ""
        assert err.count("\n") == 1, err
        assert f"argument {flag}: expected {number.wanted}, got " in err, err
        assert len(err) < 300  # a 5,000-digit number is not printed back whole
    # as two arguments: argparse took "-inf" for an option ("expected one argument")
    for value in ("-1", "nan", "inf", "1e309", "99999999999999999999", *NEGATIVE):
        with pytest.raises(SystemExit) as raised:
            main([command, *REQUIRED.get(command, []), flag, value])
        assert raised.value.code == 2
        out, err = capsys.readouterr()
        assert (out, err.count("\n")) == ("", 1), err
        assert f"argument {flag}: expected {number.wanted}, got {value!r}" in err


@pytest.mark.parametrize(("command", "flag", "number"), FLAGS, ids=IDS)
def test_the_ends_of_each_range_are_taken(command: str, flag: str, number: Number) -> None:
    ends = [number.high] if number.above_low else [number.low, number.high]
    parser = build_parser()
    for end in ends:
        text = str(int(end)) if number.whole else str(end)
        args = parser.parse_args([command, *REQUIRED.get(command, []), flag, text])
        assert getattr(args, flag.lstrip("-").replace("-", "_")) == end


def test_the_range_messages_read_as_a_user_would_write_them() -> None:
    wanted = {(command, flag): number.wanted for command, flag, number in FLAGS}
    assert wanted["serve", "--port"] == "a whole number from 0 to 65535"
    assert wanted["serve", "--error-rate"] == "a rate in [0, 1]"
    assert wanted["serve", "--latency"] == "seconds in [0, 3600]"
    assert wanted["serve", "--header-timeout"] == "seconds in (0, 3600]"
    assert wanted["conform", "--rate"] == "requests per second in (0, 1000000]"
    assert wanted["fixtures", "--count"] == "a whole number from 1 to 100000"
    assert wanted["conform", "--seed"] == "a whole number from 0 to 18446744073709551615"


def test_the_console_script_says_one_line_and_exits_2_for_port_70000() -> None:
    """The issue's own command, as a user runs it: no traceback, exit 2 (it was 1)."""
    result = subprocess.run(
        [sys.executable, "-m", "mocks._cli", "serve", "--port", "70000"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        "extract-contract serve: error: argument --port: expected a whole number from 0 to "
        "65535, got '70000' (see 'extract-contract serve --help')\n"
    )


def test_a_negative_number_as_its_own_argument_reaches_the_type_in_a_real_process() -> None:
    """Issue: ``serve --latency -inf`` said "expected one argument"."""
    for flag, value in (("--latency", "-inf"), ("--port", "-1")):
        result = subprocess.run(
            [sys.executable, "-m", "mocks._cli", "serve", flag, value],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert result.returncode == 2
        assert result.stdout == ""
        wanted = "seconds in [0, 3600]" if flag == "--latency" else "a whole number from 0 to 65535"
        assert result.stderr == (
            f"extract-contract serve: error: argument {flag}: expected {wanted}, got "
            f"{value!r} (see 'extract-contract serve --help')\n"
        )


@given(st.text(alphabet="0123456789._eE+-infatyINFATY ", max_size=12))
def test_a_negative_number_is_what_float_reads(text: str) -> None:
    argument = "-" + text
    try:
        float(argument)
    except ValueError:
        reads = False
    else:
        reads = argument.strip() == argument  # float() also skips spaces around the number
    assert bool(NEGATIVE_NUMBER.match(argument)) == reads, argument


def test_an_option_is_still_an_option() -> None:
    for text in ("-q", "--quiet", "-x1", "-e5", "-", "--", "-1e", "-in", "-1__0", "-0x10"):
        assert NEGATIVE_NUMBER.match(text) is None, text
