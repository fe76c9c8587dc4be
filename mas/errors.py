"""The one error hierarchy of the `mas` package, rooted at `MasError`.

Raised for set-up and usage failures (configuration, identity, demo data, chart choices).
Failures of a streamed answer are not raised at all: the client turns them into one terminal
`error` event (`mas.endpoint.client`, worded by `mas.http_errors`).
"""

from __future__ import annotations


class MasError(Exception):
    """Base of every error raised by the `mas` package."""


class ConfigError(MasError):
    """The app is configured in a way that cannot work (bad endpoint name, bad auth mode)."""


class SettingError(ConfigError):
    """An environment variable holds a value the app cannot use (`mas.settings`)."""


class DemoDataError(MasError):
    """The embedded demo could not generate, open or query its revenue dataset."""


class IdentityError(ConfigError):
    """No usable identity for a request, e.g. MAS_AUTH=user without a forwarded user token."""


class ResultError(MasError):
    """A tool result cannot be shown the way asked, e.g. a chart kind that does not fit its table."""


class TranscriptError(MasError):
    """A saved conversation record cannot be read back (a newer format, a broken shape)."""


class StoreError(MasError):
    """The history store cannot be opened, read or written (unreachable, read-only, corrupt, newer schema)."""


class GenieError(MasError):
    """A Genie Conversation API call failed, or Genie could not answer; the message is for the user.

    Raised inside `mas.genie` only and turned into one terminal `error` event there.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.retry_after = retry_after
