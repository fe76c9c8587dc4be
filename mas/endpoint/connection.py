"""Where questions go and as whom: the embedded demo, or a workspace as the app or the signed-in user.

`resolve()` turns request headers and the environment into a `Connection`: a streaming client
bound to one identity. Only app-wide things are cached here (the demo emulator, the app's own
client); a user's client is built per call and lives only as long as the caller keeps it.
Deciding the identity from headers is `mas.endpoint.auth`; talking to the endpoint is `mas.endpoint.client`.
"""

from __future__ import annotations

import atexit
import configparser
import logging
import threading
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from databricks.sdk import WorkspaceClient

from mas.endpoint.auth import (
    Identity,
    choose_identity,
    explain_for_identity,
    forwarded_email,
    forwarded_user,
    user_workspace_client,
    workspace_client,
)
from mas.errors import ConfigError
from mas.settings import (
    backend_from_env,
    databricks_env_digest,
    genie_space_id_configured,
    genie_space_id_from_env,
    settings,
)
from mas.wire.events import ErrorEvent, Event
from mas.wire.messages import ChatMessage

if TYPE_CHECKING:
    from mas.demo.server import EmulatorProcess
    from mas.endpoint.client import MASStreamingClient
    from mas.genie.conversation import GenieBackend

logger = logging.getLogger(__name__)

DEMO_TOKEN = "demo"  # not a secret: the embedded emulator accepts any bearer token

_demo_lock = threading.Lock()
_app_lock = threading.Lock()
_demo_state: tuple[EmulatorProcess, WorkspaceClient] | None = None
_app_clients: dict[str, WorkspaceClient] = {}
# Streaming clients of the shared identities (app, demo), by workspace client and endpoint: each
# holds an HTTP pool and a TLS context (~20 ms to build), and no user data.
_shared_streaming: dict[tuple[int, str], MASStreamingClient] = {}


@dataclass(frozen=True, repr=False)
class Connection:
    """A streaming client bound to one endpoint and one identity. Holds no token attribute."""

    identity: Identity
    endpoint_name: str
    host: str
    user_email: str | None
    workspace_client: WorkspaceClient = field(compare=False)
    client: MASStreamingClient = field(compare=False)
    genie: GenieBackend | None = field(default=None, compare=False)
    """Set when MAS_BACKEND=genie: questions go straight to this Genie space instead."""

    def stream_events(
        self,
        messages: list[ChatMessage],
        *,
        extra_input: list[dict[str, Any]] | None = None,
        state: dict[str, Any] | None = None,
    ) -> Generator[Event, None, None]:
        """The client's events, with credential errors explained for this identity.

        `state` is the conversation's backend state (the Genie conversation id), kept by the caller
        with the chat. Closing this generator closes the client's, and so its HTTP response, at once.
        """
        events = (
            self.client.stream_events(messages, extra_input=extra_input)
            if self.genie is None
            else self.genie.stream_events(messages, state=state)
        )
        try:
            for event in events:
                yield explain_for_identity(event, self.identity) if isinstance(event, ErrorEvent) else event
        finally:
            if isinstance(events, Generator):
                events.close()

    def close(self) -> None:
        """Release a user connection's HTTP pool; app and demo connections share theirs."""
        if self.identity == "user":
            self.client.close()
            if self.genie is not None:
                self.genie.close()

    def __repr__(self) -> str:
        return (
            f"Connection(identity={self.identity!r}, endpoint_name={self.endpoint_name!r}, "
            f"host={self.host!r}, user_email={self.user_email!r})"
        )

    __str__ = __repr__


def normalize_host(host: str) -> str:
    # Databricks Apps may inject DATABRICKS_HOST without a scheme (wire-format.md §6).
    host = host.strip().rstrip("/")
    return host if "://" in host else f"https://{host}"


def demo_forced() -> bool:
    return settings().demo


def _profile_host() -> str | None:
    """The host of the Databricks CLI profile the SDK would use, read without any network."""
    current = settings()
    path = current.databricks_config_file.expanduser()
    requested = current.databricks_config_profile
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except configparser.Error as exc:
        raise ConfigError(f"{path} cannot be parsed: {exc}") from exc
    settings_default = parser.get("__settings__", "default_profile", fallback=None)
    name = requested or settings_default or "DEFAULT"
    if name == "DEFAULT":
        host = parser.defaults().get("host")
    else:
        host = parser.get(name, "host", fallback=None) if parser.has_section(name) else None
    if requested and not host:
        raise ConfigError(
            f"DATABRICKS_CONFIG_PROFILE={requested} names no profile with a host in {path}. "
            "Fix the profile, or unset the variable to run the embedded demo."
        )
    return host or None


def workspace_host() -> str | None:
    """The configured workspace (DATABRICKS_HOST, else a CLI profile), or None for the demo."""
    raw = settings().databricks_host or _profile_host()
    return normalize_host(raw) if raw else None


class _DemoProbeFilter(logging.Filter):
    """Drops the SDK's warning that the demo emulator has no host metadata.

    `WorkspaceClient` probes `/.well-known/databricks-config` and warns when it fails; the
    emulator answers 404 on purpose, so for its host alone the warning is noise.
    """

    def __init__(self, host: str) -> None:
        super().__init__()
        self.host = host

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not ("host metadata" in message and self.host in message)


def _demo_parts() -> tuple[EmulatorProcess, WorkspaceClient]:
    global _demo_state
    with _demo_lock:
        if _demo_state is None:
            from mas.demo.server import EmulatorProcess

            # Its own process: in this one, its answers and our streams would share one GIL.
            current = settings()
            emulator = EmulatorProcess(pacing=current.demo_pacing, endpoint_name=current.endpoint_name)
            atexit.register(emulator.close)
            logging.getLogger("databricks.sdk").addFilter(_DemoProbeFilter(emulator.url))
            client = workspace_client(host=emulator.url, token=DEMO_TOKEN, auth_type="pat")
            logger.info("[MAS] Embedded demo endpoint started at %s", emulator.url)
            _demo_state = (emulator, client)
        return _demo_state


def demo_emulator() -> EmulatorProcess:
    """The one process-wide demo emulator (a child process), started on first use."""
    return _demo_parts()[0]


def app_workspace_client() -> WorkspaceClient:
    """The app's own client (its service principal on Databricks Apps), shared process-wide."""
    key = databricks_env_digest()  # a re-configured environment gets a new client
    with _app_lock:
        client = _app_clients.get(key)
        if client is None:
            try:
                client = workspace_client()
            except ValueError as exc:
                raise ConfigError(f"The app's Databricks credentials are not usable: {exc}") from exc
            for stale in _app_clients.values():  # the environment changed: forget the old identity
                for shared_key in [k for k in _shared_streaming if k[0] == id(stale)]:
                    del _shared_streaming[shared_key]
            _app_clients.clear()
            _app_clients[key] = client
        return client


def _streaming_client(
    identity: Identity, wc: WorkspaceClient, *, name: str, email: str | None = None
) -> MASStreamingClient:
    from mas.endpoint.client import MASStreamingClient

    if identity == "user":  # a user's client goes wherever their token goes: never shared
        who = f"user:{email}" if email else f"user:{id(wc)}"
        return MASStreamingClient(endpoint_name=name, workspace_client=wc, identity_key=who)
    key = (id(wc), name)
    with _app_lock:
        client = _shared_streaming.get(key)
        if client is None or client.workspace_client is not wc:
            client = MASStreamingClient(endpoint_name=name, workspace_client=wc)
            _shared_streaming[key] = client
        return client


DEMO_SPACE_ID = "01demo0revenue0genie0space000000"
"""The embedded demo's Genie space (any id is served; this one is used when GENIE_SPACE_ID is unset)."""


def _genie_backend(identity: Identity, wc: WorkspaceClient) -> GenieBackend | None:
    """The Genie backend when MAS_BACKEND=genie: per connection, so a user's never serves another."""
    if backend_from_env() != "genie":
        return None
    from mas.genie.conversation import GenieBackend

    use_demo_space = identity == "demo" and not genie_space_id_configured()
    space = DEMO_SPACE_ID if use_demo_space else genie_space_id_from_env()
    return GenieBackend(workspace_client=wc, space_id=space)


def resolve(*, headers: Mapping[str, str] | None = None, endpoint_name: str | None = None) -> Connection:
    """The connection for one session or request. Raises ConfigError when it cannot be set up."""
    current = settings()  # every setting is checked here, so a bad one fails before any request
    name = endpoint_name or current.endpoint_name
    host = None if current.demo else workspace_host()
    if host is None:
        emulator, demo_client = _demo_parts()
        return _connection("demo", name, host=emulator.url, email=None, wc=demo_client)
    user = forwarded_user(headers)
    identity = choose_identity(mode=current.auth, user=user)
    if identity == "user" and user is not None:
        user_client = user_workspace_client(host=host, user=user)
        return _connection("user", name, host=host, email=user.email, wc=user_client)
    return _connection("app", name, host=host, email=forwarded_email(headers), wc=app_workspace_client())


def _connection(identity: Identity, name: str, *, host: str, email: str | None, wc: Any) -> Connection:
    conn = Connection(
        identity=identity,
        endpoint_name=name,
        host=host,
        user_email=email,
        workspace_client=wc,
        client=_streaming_client(identity, wc, name=name, email=email if identity == "user" else None),
        genie=_genie_backend(identity, wc),
    )
    logger.debug("[MAS] Resolved %r", conn)
    return conn
