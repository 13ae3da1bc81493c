"""Usage errors name the command a user ran, and its ``--help``."""

from __future__ import annotations

import pytest

from mocks._cli import main


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (
            ["serve", "--portt", "1"],
            "extract-contract serve: error: unrecognized arguments: --portt 1 "
            "(see 'extract-contract serve --help')",
        ),
        (
            ["validate", "x.json", "--strict"],
            "extract-contract validate: error: unrecognized arguments: --strict "
            "(see 'extract-contract validate --help')",
        ),
        (
            ["serve", "--port"],
            "extract-contract serve: error: argument --port: expected one argument "
            "(see 'extract-contract serve --help')",
        ),
        (
            ["serv"],
            "extract-contract: error: argument COMMAND: invalid choice: 'serv'",
        ),
    ],
)
def test_a_usage_error_is_one_line_naming_the_command(
    argv: list[str], line: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as raised:
        main(argv)
    assert raised.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(line), err
