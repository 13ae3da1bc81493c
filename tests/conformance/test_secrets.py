"""Every header value the user passes is a secret: it never reaches stdout, stderr, a curl
line, a failure or the JUnit report, whichever phase (ours or schemathesis's) wrote it."""

from __future__ import annotations

from mocks._cli import main

from . import _apps
from .conftest import served

SECRETS = {
    "X-Auth-Token": "tok-4f9a2c7e1b",
    "Proxy-Authorization": "Basic czNjcmV0OnBhc3N3b3Jk",
    "Authorization": "Bearer sk-live-abcdef123456",
    "X-Team": "runs-team-7",
}


def test_no_header_value_reaches_any_output(tmp_path, capsys):
    app = _apps.BrokenEchoesCredentials()
    junit = tmp_path / "r.xml"
    headers = [arg for name, value in SECRETS.items() for arg in ("--header", f"{name}: {value}")]
    with served(app) as url:
        argv = ["conform", "--base-url", url, "--max-examples", "5", "--seed", "4", *headers]
        argv += [arg for agent in app.agent_ids for arg in ("--agent-id", agent)]
        code = main([*argv, "--report", f"junit={junit}"])
    out, err = capsys.readouterr()
    written = junit.read_text(encoding="utf-8")
    assert code == 1
    assert app.token == SECRETS["X-Auth-Token"]  # the headers went with the requests
    everything = out + err + written
    for value in SECRETS.values():
        assert value not in everything, value
    assert "czNjcmV0OnBhc3N3b3Jk" not in everything  # the credential alone, too
    assert "sk-live-abcdef123456" not in everything
    # masked in this API's curl lines and in schemathesis's own
    assert "-H 'x-auth-token: [Filtered]'" in out  # the API phase's
    assert "-H 'X-Auth-Token: [Filtered]'" in out  # schemathesis's
    assert "-H 'proxy-authorization: [Filtered]'" in out
    assert "-H 'X-Team: [Filtered]'" in out
    # and scrubbed from what the server echoed back
    assert "token [Filtered] is not allowed to read runs" in out
    assert "token [Filtered] is not allowed" in written
