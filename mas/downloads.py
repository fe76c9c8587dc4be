"""`GET /api/genie/download`: a Genie result's every row, streamed to the browser as a CSV file.

The UI's "Download all rows" link points here. Each request resolves its own identity from its
headers (on Databricks Apps the proxy forwards the user's token), so a user downloads only what
Genie lets them read; the rows go from the presigned links to the browser chunk by chunk through
`mas.genie.download` and are never held whole in the app. Starlette routes, mounted by `mas.api`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Generator
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from mas.endpoint.connection import Connection, resolve
from mas.errors import ConfigError, GenieError, IdentityError
from mas.genie.attachments import Ids
from mas.genie.download import full_result_csv

logger = logging.getLogger(__name__)

DOWNLOAD_PATH = "/api/genie/download"
_PARAMS = ("conversation_id", "message_id", "attachment_id")
_ID = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")


def download_url(ids: Ids, attachment_id: str) -> str:
    """The app-relative link that downloads every row of one query attachment."""
    query = {
        "conversation_id": ids.conversation_id,
        "message_id": ids.message_id,
        "attachment_id": attachment_id,
    }
    return f"{DOWNLOAD_PATH}?{urlencode(query)}"


def routes() -> list[BaseRoute]:
    return [Route(DOWNLOAD_PATH, _download, methods=["GET"])]


def _reject(status: int, error: str) -> JSONResponse:
    return JSONResponse({"error": error, "detail": None}, status_code=status)


async def _download(request: Request) -> Response:
    values = {name: request.query_params.get(name, "") for name in _PARAMS}
    bad = [name for name, value in values.items() if not _ID.match(value)]
    if bad:
        return _reject(400, f"Missing or invalid {', '.join(bad)}.")
    try:
        connection = await run_in_threadpool(resolve, headers=dict(request.headers))
    except ConfigError as exc:
        return _reject(401 if isinstance(exc, IdentityError) else 500, str(exc))
    genie = connection.genie
    if genie is None:
        connection.close()
        return _reject(404, "This app is not asking a Genie space (MAS_BACKEND is not genie).")
    ids = Ids(genie.space_id, values["conversation_id"], values["message_id"])
    rows = full_result_csv(genie.http, ids, attachment_id=values["attachment_id"])
    try:
        first = await run_in_threadpool(next, rows)
    except GenieError as exc:
        rows.close()
        connection.close()
        return _reject(exc.status if exc.status and exc.status >= 400 else 502, exc.message)
    name = f"genie-{values['attachment_id']}.csv"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    return StreamingResponse(
        _body(first=first, rows=rows, connection=connection), media_type="text/csv", headers=headers
    )


async def _body(
    first: bytes, rows: Generator[bytes, None, None], connection: Connection
) -> AsyncIterator[bytes]:
    try:
        yield first
        while True:
            chunk = await run_in_threadpool(next, rows, None)
            if chunk is None:
                return
            yield chunk
    except GenieError as exc:
        # Headers are gone already: the file ends short, and the log says why.
        logger.error("[GENIE] full download broke off: %s", exc.message)
    finally:
        rows.close()
        connection.close()
