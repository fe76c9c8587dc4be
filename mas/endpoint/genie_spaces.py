"""Genie space titles, looked up in the workspace as one identity and remembered for it alone.

`SpaceTitles(workspace_client)` asks `GET /api/2.0/genie/spaces/{id}` (`w.genie.get_space`) once per
space on a small background pool and waits only briefly, so a slow lookup never holds up an
answer: until it lands the caller shows the id-based name. One instance belongs to one identity (a
user may not see every space); it is never shared between users. Naming itself is `mas.agents`.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING

from databricks.sdk.errors import DatabricksError

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

logger = logging.getLogger(__name__)

_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="mas-genie-space")
DEFAULT_WAIT_SECONDS = 1.5


class SpaceTitles:
    """Space id → title for one identity; failures are remembered as "no title" (not retried)."""

    def __init__(self, workspace_client: WorkspaceClient, *, wait: float = DEFAULT_WAIT_SECONDS) -> None:
        self._client = workspace_client
        self._wait = wait
        self._lock = threading.Lock()
        self._lookups: dict[str, Future[str | None]] = {}

    def title(self, space_id: str) -> str | None:
        """The space's title, or None while it is unknown (not yet looked up, forbidden, missing)."""
        with self._lock:
            future = self._lookups.get(space_id)
            if future is None:
                future = self._lookups[space_id] = _POOL.submit(self._fetch, space_id)
        try:
            return future.result(timeout=self._wait)
        except FutureTimeout:
            return None

    def known(self) -> dict[str, str]:
        """Every title found so far (for `mas.agents.readable_name`)."""
        with self._lock:
            done = [(k, f) for k, f in self._lookups.items() if f.done()]
        return {key: title for key, future in done if (title := future.result()) is not None}

    def _fetch(self, space_id: str) -> str | None:
        try:
            space = self._client.genie.get_space(space_id)
        except DatabricksError as exc:
            # A space this identity may not read (403) or that is gone (404): show its id instead.
            logger.info("[GENIE] no title for space %s: %s", space_id, exc)
            return None
        except OSError as exc:
            logger.info("[GENIE] space %s lookup failed: %s", space_id, exc)
            return None
        return space.title or None
