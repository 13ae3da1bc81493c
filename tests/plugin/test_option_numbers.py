"""The plugin's numeric options read their values with the command line's own range types, so
a value out of range is the same one line as on the command line, and a pytest usage error
(exit 4), never pytest's ``invalid int value`` or a traceback later in the session.

The test walks the plugin's option groups, so an option added later is checked too.
"""

from __future__ import annotations

import argparse
from typing import Any

import pytest

from mocks._cli import build_parser
from mocks._cli._common import Number
from mocks._plugin import conformance, coverage, traffic

# the command line's twin of each plugin option that has one
CLI_TWIN = {
    "--extract-seed": ("conform", "--seed"),
    "--extract-max-examples": ("conform", "--max-examples"),
    "--extract-rate": ("conform", "--rate"),
    "--extract-max-requests": ("conform", "--max-requests"),
    "--extract-max-wait": ("conform", "--max-wait"),
    "--extract-timeout": ("conform", "--timeout"),
}
NEVER = ["x", "", "nan", "inf", "-inf", "-1", "1e309", "99999999999999999999999", "0x10"]


class _Group:
    """Stands in for pytest's option group: keeps what each option was given."""

    def __init__(self) -> None:
        self.options: dict[str, dict[str, Any]] = {}

    def addoption(self, *names: str, **kwargs: Any) -> None:
        self.options[names[0]] = kwargs


def _plugin_options() -> dict[str, dict[str, Any]]:
    group = _Group()
    for module in (conformance, coverage, traffic):
        module.add_options(group)  # type: ignore[arg-type]
    return group.options


OPTIONS = _plugin_options()
NUMBERS = {flag: o["type"] for flag, o in OPTIONS.items() if isinstance(o.get("type"), Number)}


def _cli_number(command: str, flag: str) -> Number:
    parser = build_parser()
    (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    (action,) = (a for a in sub.choices[command]._actions if flag in a.option_strings)
    assert isinstance(action.type, Number)
    return action.type


def test_every_number_of_the_plugin_is_read_by_a_shared_type() -> None:
    for flag, options in OPTIONS.items():
        assert options.get("type") in (None, *NUMBERS.values()), (flag, options.get("type"))
    assert set(NUMBERS) == {*CLI_TWIN, "--extract-coverage-fail-under"}
    for flag, (command, twin) in CLI_TWIN.items():
        assert NUMBERS[flag].wanted == _cli_number(command, twin).wanted, flag
    assert NUMBERS["--extract-coverage-fail-under"].wanted == "a percentage in [0, 100]"


def _out_of_range(number: Number) -> list[str]:
    values = [str(number.high * 2 + 1)]
    if number.above_low:
        values.append(str(number.low))
    if number.whole:
        values += ["1.5", str(int(number.low) - 1)]
    return values


@pytest.mark.parametrize("flag", sorted(NUMBERS))
def test_a_bad_number_is_the_command_lines_one_line_and_a_usage_error(
    pytester: pytest.Pytester, flag: str
) -> None:
    number = NUMBERS[flag]
    for value in NEVER + _out_of_range(number):
        result = pytester.runpytest(f"{flag}={value}")
        assert result.ret == pytest.ExitCode.USAGE_ERROR, value
        error = f"error: argument {flag}: expected {number.wanted}, got {value!r}"
        assert error in result.stderr.str(), value
        assert "Traceback" not in result.stderr.str()
    result = pytester.runpytest(flag, "-5")  # a negative number as its own argument
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert f"argument {flag}: expected {number.wanted}, got '-5'" in result.stderr.str()
