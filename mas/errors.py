"""The one error hierarchy of the `mas` package, rooted at `MasError`.

Every failure the core knows how to name is one of these classes. They are raised inside
the core and turned into a terminal `error` event at the edge of `stream_events`; they are
not a place for retry policy or HTTP status tables (see `mas.http_errors`).
"""

from __future__ import annotations


class MasError(Exception):
    """Base of every error raised by the `mas` package."""


class ConfigError(MasError):
    """The app is configured in a way that cannot work (bad endpoint name, bad auth mode)."""


class TransportError(MasError):
    """The network failed: refused, reset, timed out, or cut mid-stream."""


class EndpointError(MasError):
    """The serving endpoint answered with an HTTP error status."""

    def __init__(self, message: str, *, status: int, error_code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error_code = error_code


class StreamProtocolError(MasError):
    """The stream broke the wire protocol (cut mid-line, undecodable JSON where it matters)."""


class UpstreamError(MasError):
    """The endpoint reported an error inside an otherwise healthy stream."""


class RequestValidationError(MasError):
    """A chat request (API body or CLI input) is malformed; the message says what is wrong."""


class DemoDataError(MasError):
    """The embedded demo could not generate, open or query its revenue dataset."""


class IdentityError(ConfigError):
    """No usable identity for a request, e.g. MAS_AUTH=user without a forwarded user token."""


class ResultError(MasError):
    """A tool result cannot be shown the way asked, e.g. a chart kind that does not fit its table."""
