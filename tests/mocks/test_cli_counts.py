"""Every count of the command line has one range and one message for every way to miss it
(issue #13, item 5: ``--count -1`` said ">= 0" while ``--count 0`` said ">= 1")."""

from __future__ import annotations

import pytest

from mocks._cli import main

# (command and its other required flags, the flag, the range's message)
COUNTS = [
    (["fixtures", "--out", "unused", "--seed", "1"], "--count", "from 1 to 100000"),
    (["serve"], "--runs", ">= 0"),
    (["serve"], "--agents", ">= 1"),
    (["serve"], "--workers", ">= 1"),
    (["serve"], "--max-body", ">= 1"),
    (["serve"], "--port", ">= 0"),
    (["conform", "--embedded"], "--max-examples", ">= 1"),
    (["conform", "--embedded"], "--workers", ">= 1"),
    (["conform", "--embedded"], "--seed", ">= 0"),
]


def _below(wanted: str) -> list[str]:
    low = int(wanted.split()[1])
    return [str(low - 1), str(low - 5), "x", "1.5", ""]


@pytest.mark.parametrize(
    ("argv", "flag", "wanted"), COUNTS, ids=[f"{c[0][0]} {c[1]}" for c in COUNTS]
)
def test_one_range_one_message(
    argv: list[str], flag: str, wanted: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for value in _below(wanted):
        with pytest.raises(SystemExit) as raised:
            main([*argv, flag, value])
        assert raised.value.code == 2
        err = capsys.readouterr().err
        assert f"argument {flag}: expected a whole number {wanted}, got {value!r}" in err
        assert err.count("\n") == 1
