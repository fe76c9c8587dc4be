"""Which request body an endpoint takes, decided by its task, remembered per endpoint and identity.

Databricks declares each serving endpoint's `task` in its metadata (`GET
/api/2.0/serving-endpoints/{name}`): `agent/v1/responses` (ResponsesAgent, a MAS) takes
`{"input": [...]}`; ChatAgent (`agent/v2/chat`), the older `agent/v1/chat` and foundation-model
chat (`llm/v1/chat`) take `{"messages": [...]}` (real-producers.md). This module maps tasks and
400 bodies to a dialect, looks the task up, keeps what was learnt, and holds one client's choice
(`DialectChoice`); when to ask it is the client's (`mas.endpoint.client`) and the preflight's.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from urllib.parse import quote

import httpx

from mas.wire.messages import Dialect

_CHAT_TASKS = frozenset({"agent/v2/chat", "agent/v1/chat", "llm/v1/chat"})
_LIMIT = 4096
# MLflow's scoring server rejects a body without the model's inputs as
# "Model is missing inputs ['messages']. Note that there were extra inputs: ['input']".
_MISSING = re.compile(r"missing inputs?\W+(\w+)", re.IGNORECASE)

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_known: OrderedDict[tuple[str, str, str], Dialect] = OrderedDict()


def dialect_for_task(task: object) -> Dialect | None:
    """The body an endpoint with this `task` takes; None when the task says nothing (custom models)."""
    if not isinstance(task, str) or not task:
        return None
    if task in _CHAT_TASKS:
        return "chat"
    if task.startswith(("agent/", "llm/v1/responses")):
        return "responses"
    return None


def dialect_named_missing(body: bytes | str) -> Dialect | None:
    """The dialect a 400 body asks for by naming its missing input (`messages` or `input`)."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    match = _MISSING.search(text[:4096])
    if match is None:
        return None
    wanted = match.group(1).lower()
    if wanted == "messages":
        return "chat"
    return "responses" if wanted == "input" else None


def lookup_task(
    http: httpx.Client, *, host: str, endpoint: str, auth: dict[str, str], timeout: float
) -> object:
    """The endpoint's `task` from `GET /api/2.0/serving-endpoints/{name}`; None when that fails."""
    url = f"{host}/api/2.0/serving-endpoints/{quote(endpoint, safe='')}"
    try:
        response = http.get(url, headers=auth, timeout=timeout)
        meta = response.json() if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError) as exc:
        logger.info("[MAS] could not look up the task of %s (%s); assuming a ResponsesAgent", endpoint, exc)
        return None
    if not isinstance(meta, dict):
        logger.info("[MAS] the lookup of %s answered HTTP %d; assuming a ResponsesAgent",
                    endpoint, response.status_code)  # fmt: skip
        return None
    return meta.get("task")


def remember(key: tuple[str, str, str], dialect: Dialect) -> None:
    """Keep `dialect` for (host, endpoint, identity); the oldest entries go past a bound."""
    with _lock:
        _known[key] = dialect
        _known.move_to_end(key)
        while len(_known) > _LIMIT:
            _known.popitem(last=False)


def forget() -> None:
    """Drop everything learnt (an endpoint redeployed with another task; tests)."""
    with _lock:
        _known.clear()


def known(key: tuple[str, str, str]) -> Dialect | None:
    """The dialect learnt for (host, endpoint, identity), if any."""
    with _lock:
        return _known.get(key)


class DialectChoice:
    """The body one client sends: from the endpoint's task, learnt before, or switched after a 400."""

    def __init__(self, *, endpoint_name: str, identity_key: str) -> None:
        self.endpoint_name = endpoint_name
        self.identity_key = identity_key
        self.current: Dialect | None = None

    def _key(self, host: str) -> tuple[str, str, str]:
        return (host.rstrip("/"), self.endpoint_name, self.identity_key)

    def learn_task(self, task: object, *, host: str) -> None:
        """The endpoint's `task` from its metadata (the preflight's lookup): it decides the body."""
        dialect = dialect_for_task(task)
        if dialect is not None:
            self.current = dialect
            remember(self._key(host), dialect)

    def body_dialect(self, http: httpx.Client, *, host: str, auth: dict[str, str], timeout: float) -> Dialect:
        """The body this endpoint takes: learnt before, or its metadata looked up once."""
        if self.current is not None:
            return self.current
        learnt = known(self._key(host))
        if learnt is None:
            task = lookup_task(http, host=host, endpoint=self.endpoint_name, auth=auth, timeout=timeout)
            learnt = dialect_for_task(task)
            if learnt is not None:
                remember(self._key(host), learnt)
            logger.info("[MAS] endpoint %s has task %r: sending %s bodies", self.endpoint_name, task,
                        learnt or "responses")  # fmt: skip
        self.current = learnt or "responses"
        return self.current

    def switch(self, body: bytes, *, host: str) -> bool:
        """Whether a 400 asked for the other body (a task the lookup missed); switch to it once."""
        wanted = dialect_named_missing(body)
        if wanted is None or wanted == self.current:
            return False
        logger.warning(
            "[MAS] endpoint %s rejected the %s body as missing its inputs; switching to %s bodies",
            self.endpoint_name, self.current, wanted,
        )  # fmt: skip
        self.current = wanted
        remember(self._key(host), wanted)
        return True
