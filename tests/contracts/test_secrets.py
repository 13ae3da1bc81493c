"""The one definition of secret headers."""

from __future__ import annotations

import contracts


def test_every_credential_header_is_secret_in_any_case() -> None:
    for name in ("Authorization", "proxy-authorization", "COOKIE", "Set-Cookie", "x-api-key"):
        assert contracts.is_secret_header(name)
    assert not contracts.is_secret_header("Accept")
    assert contracts.is_secret_header("X-Auth-Token", also=["x-auth-token"])


def test_redact_keeps_names_order_and_other_values() -> None:
    headers = {"Accept": "application/json", "Authorization": "Bearer s3cret", "X-Trace": "t"}
    redacted = contracts.redact_headers(headers, also=["X-TRACE"], marker="[scrubbed]")
    assert list(redacted) == list(headers)
    assert redacted == {
        "Accept": "application/json",
        "Authorization": "[scrubbed]",
        "X-Trace": "[scrubbed]",
    }
    assert "s3cret" not in repr(redacted)
    assert contracts.redact_headers(headers)["Authorization"] == contracts.REDACTED
