"""Typed failures of outbound calls. Clients raise these; nothing returns `(None, error)`."""

import datetime as dt


class ApiError(Exception):
    """An outbound call failed. `retryable` says whether trying again later can help."""

    retryable = False

    def __init__(self, message: str, *, status: int | None = None, body: str = "", retry_at: dt.datetime | None = None):
        super().__init__(message)
        self.status = status
        self.body = body[:2000] if body else ""
        self.retry_at = retry_at


class AuthExpired(ApiError):
    """401 even after a fresh token: credentials no longer work."""


class ReauthRequired(ApiError):
    """The refresh token or credentials were rejected (invalid_grant): a person must re-authorise."""


class NotFound(ApiError):
    """404: the record does not exist or is invisible to these credentials."""


class ValidationFailed(ApiError):
    """400/409/412/422: the destination refused the data. Trying the same data again will not help."""


class Conflict(ApiError):
    """The destination holds a document with the same business key that we did not create: a person decides."""


class Permanent(ApiError):
    """Any other failure that will not go away by itself (403, unexpected 4xx, bad configuration)."""


class Transient(ApiError):
    """5xx, timeouts before sending, dropped connections on reads: try again later."""

    retryable = True


class OutcomeUnknown(Transient):
    """A write was sent but no answer came back: it may or may not have been applied. Look it up before retrying."""


class RateLimited(Transient):
    """429 (or the vendor's equivalent): try again at `retry_at`, not before."""
