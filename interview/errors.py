"""One error hierarchy; api/errors.py maps it to HTTP status codes in one place."""

from __future__ import annotations


class InterviewError(Exception):
    """Base of every error the product raises on purpose. The message names the problem."""


class InvalidInput(InterviewError):
    """The caller sent something we cannot use; the message says what and how to fix it."""


class NotFound(InterviewError):
    """A named thing (role, session, answer, job) does not exist, or is not yours."""


class Conflict(InterviewError):
    """The request contradicts the current state (e.g. answering a finished interview)."""


class PayloadTooLarge(InvalidInput):
    """A body or upload is over the configured limit."""


class Unauthorized(InterviewError):
    """No valid credentials were presented."""


class Forbidden(InterviewError):
    """Credentials are valid but do not allow this action."""


class RateLimited(InterviewError):
    """Too many attempts (e.g. failed sign-ins); retry after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class BackendUnavailable(InterviewError):
    """A model or the database cannot serve right now; retrying later may work."""


class Overloaded(BackendUnavailable):
    """A queue is full; retry after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: float = 1.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after
