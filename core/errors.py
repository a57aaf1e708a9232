"""A small typed error hierarchy. Pure code raises these, never HTTP exceptions;
the API renders them as JSON ``{"detail": message}`` with ``status_code``."""

from __future__ import annotations


class CallReviewError(Exception):
    status_code: int = 400

    def __init__(
        self, message: str, status_code: int | None = None, *, field: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        # Where the problem is, as a path into the request ("goals.4.target"), so a form can
        # show the message beside that field.
        self.field = field
        if status_code is not None:
            self.status_code = status_code

    def __str__(self) -> str:
        return self.message


class Unauthorized(CallReviewError):
    status_code = 401


class Forbidden(CallReviewError):
    status_code = 403


class NotFound(CallReviewError):
    status_code = 404


class Conflict(CallReviewError):
    status_code = 409


class TooManyRequests(CallReviewError):
    """Throttled; ``retry_after`` seconds until the next try may succeed (``Retry-After``)."""

    status_code = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class InvalidInput(CallReviewError):
    status_code = 422


class AudioUnreadable(InvalidInput):
    """The file cannot be decoded as audio (empty, truncated, not audio)."""


class AudioTooLong(AudioUnreadable):
    """The audio decodes past the duration limit (often a header that lies about it)."""

    status_code = 413


class NoSpeech(InvalidInput):
    """The audio decodes but contains no speech at all."""


class TranscriptUnreadable(InvalidInput):
    """A transcript file (JSON segments or 'Agent: …' lines) cannot be parsed."""


class RubricError(InvalidInput):
    """A rubric document is invalid; the message names the field and line."""


class UploadTooLarge(CallReviewError):
    status_code = 413


class UnsupportedMediaType(CallReviewError):
    status_code = 415


class ModelUnavailable(CallReviewError):
    """A configured model cannot be found offline."""

    status_code = 503


class SchemaOutOfDate(CallReviewError):
    """The database's migrations are behind (or ahead of) the code: run `callreview db upgrade`."""

    status_code = 503
