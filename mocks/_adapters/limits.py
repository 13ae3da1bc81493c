"""What one request to the mock's live server (or the proxy) may send, and how slowly:
:class:`Limits`, checked when made; the hardened protocol (:mod:`mocks._adapters.protocol`)
holds each connection to them."""

from __future__ import annotations

from dataclasses import dataclass

from .._errors import ServeError

__all__ = ["Limits"]


@dataclass(frozen=True)
class Limits:
    """What one request may send, and how slowly.

    ``max_request_line`` bytes for the request line (414 beyond), ``max_head`` bytes for the
    request line and all headers (431 beyond), ``head_timeout`` seconds to send a whole head,
    ``body_timeout`` seconds of silence within a body and ``body_min_rate`` bytes a second on
    average after its first ``body_timeout`` seconds (0: no minimum), 408 and a closed connection
    beyond; ``max_body`` bytes of body (413, answered by the app). The request line limit is
    well above the 10 KB ids that the API should answer with a 422, not a 414.
    """

    max_request_line: int = 32 * 1024
    max_head: int = 64 * 1024
    head_timeout: float = 10.0
    body_timeout: float = 5.0
    body_min_rate: int = 1024
    max_body: int = 1024 * 1024

    def __post_init__(self) -> None:
        """Check the numbers: a :class:`~mocks._errors.ServeError` names the one at fault."""
        for name in ("max_request_line", "max_head", "max_body"):
            if getattr(self, name) < 1:
                raise ServeError("must be >= 1", option=name, value=getattr(self, name))
        if self.max_request_line > self.max_head:
            raise ServeError(
                f"must not exceed max_head ({self.max_head})",
                option="max_request_line",
                value=self.max_request_line,
            )
        for name in ("head_timeout", "body_timeout"):
            value = getattr(self, name)
            if not 0 < value <= 3600:  # NaN fails too
                raise ServeError("must be > 0 and at most 3600", option=name, value=value)
        if not 0 <= self.body_min_rate <= 1024**3:
            raise ServeError(
                "must be from 0 to 1073741824", option="body_min_rate", value=self.body_min_rate
            )
