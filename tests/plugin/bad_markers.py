"""One check for a marker argument the plugin refuses: a pytester suite with one test per
argument, each failing its setup with the one line expected, and no traceback anywhere."""

from __future__ import annotations

from collections.abc import Mapping

import pytest


def assert_each_fails_setup_with_one_line(
    pytester: pytest.Pytester, markers: Mapping[str, str]
) -> None:
    """``markers``: the marker's arguments as written -> the message after
    ``@pytest.mark.extract_mock: ``."""
    tests = "".join(
        f"@pytest.mark.extract_mock({arguments})\ndef test_{n}(extract_mock):\n    pass\n\n"
        for n, arguments in enumerate(markers)
    )
    pytester.makepyfile(test_bad=f"import pytest\n\n{tests}")
    result = pytester.runpytest("-p", "no:cacheprovider", "-W", "error")
    result.assert_outcomes(errors=len(markers))
    for n, message in enumerate(markers.values()):
        result.stdout.fnmatch_lines(
            [f"*_ ERROR at setup of test_{n} _*", f"@pytest.mark.extract_mock: {message}"]
        )
    out = result.stdout.str()
    for trace in ("Traceback", "_marker.py", "raise "):
        assert trace not in out
