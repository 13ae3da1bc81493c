"""Bearer auth as FastAPI's ``HTTPBearer`` reads it: written once, for the API, the mock's own
paths and the admin API.

``Authorization: <scheme> <credentials>`` is split at the first space; the scheme is compared
in any case, the credentials exactly as sent (``Bearer  TOKEN``, two spaces, carries `` TOKEN``
and is refused); a request that carries two ``Authorization`` headers is authorised by neither
(which one a server reads is not the client's to choose). The comparison takes the same time
whatever the credentials.
"""

from __future__ import annotations

import hmac

from .http import Request, json_answer

__all__ = ["UNAUTHENTICATED", "bearer_matches", "expected_bearer"]

UNAUTHENTICATED = json_answer(
    401, {"detail": "Not authenticated"}, (("www-authenticate", "Bearer"),)
)
"""FastAPI's answer to a request without the right bearer token."""


def expected_bearer(token: str | None) -> bytes | None:
    """What :func:`bearer_matches` compares with for ``token`` (None: no token, all allowed);
    a ``ValueError`` for a token that no ``Authorization`` header could carry."""
    if token is None:
        return None
    if not isinstance(token, str) or not token or " " in token:
        # the token itself is never shown: it is a secret, and errors reach terminals and logs
        raise ValueError("token must be a non-empty string without spaces")
    return f"bearer {token}".encode()


def bearer_matches(request: Request, expected: bytes) -> bool:
    """Whether ``request`` carries the bearer token of ``expected`` (see the module
    docstring)."""
    if "authorization" in request.repeated:
        return False
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return hmac.compare_digest(f"{scheme.lower()} {credentials}".encode(), expected)
