"""Exceptions raised by postq. The native layer maps every core error to one of these by
HTTP status and stable code; catch :class:`PostQError` to catch them all."""

from __future__ import annotations

from typing import Optional

__all__ = [
    "PostQError",
    "PostQAuthError",
    "PostQPermissionError",
    "PostQNotFoundError",
    "PostQConflictError",
    "PostQRateLimitError",
    "PostQServerError",
    "PostQConnectionError",
    "PostQTimeoutError",
    "PostQValidationError",
]


class PostQError(Exception):
    """Base class of every postq error (and the class of other 4xx answers, e.g. 400).

    Attributes:
        status: the HTTP status, or ``None`` when the error did not come from the API.
        code: the stable machine-readable code (``validation_error``,
            ``insufficient_scope``, ``invalid_signature``, ``connection_error`` …).
        message: the human-readable message (the server's, for API errors).
        request_id: the ``X-Request-Id`` of the failed request, for support.
        retry_after: seconds the server asked to wait (429/503), else ``None``.
    """

    status: Optional[int]
    code: str
    message: str
    request_id: Optional[str]
    retry_after: Optional[float]

    def __init__(
        self,
        text: str,
        *,
        message: Optional[str] = None,
        status: Optional[int] = None,
        code: str = "error",
        request_id: Optional[str] = None,
        retry_after: Optional[float] = None,
    ) -> None:
        super().__init__(text)
        self.message = text if message is None else message
        self.status = status
        self.code = code
        self.request_id = request_id
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, "
            f"message={self.message!r}, request_id={self.request_id!r})"
        )


class PostQAuthError(PostQError):
    """401: the API key is missing, invalid or revoked."""


class PostQPermissionError(PostQError):
    """403: the API key lacks the scope (``insufficient_scope``) or access is denied
    (the vault's uniform ``access_denied``)."""


class PostQNotFoundError(PostQError):
    """404: no such resource in your organisation."""


class PostQConflictError(PostQError):
    """409: idempotency key reuse, a request still in progress, a concurrent rotation or
    an invalid rollover transition."""


class PostQRateLimitError(PostQError):
    """429: rate limited; ``retry_after`` says how many seconds to wait."""


class PostQServerError(PostQError):
    """5xx: the server failed (after the client's retries)."""


class PostQConnectionError(PostQError):
    """The server could not be reached or the connection broke (after retries)."""


class PostQTimeoutError(PostQConnectionError):
    """A connect, attempt or whole-call timeout elapsed."""


class PostQValidationError(PostQError, ValueError):
    """Bad input caught locally, before any request: a malformed signature, key,
    certificate or argument, a signature of another key (``key_mismatch``), bad client
    configuration."""
