"""The emulator's Genie statement results: inline (5,000 rows at most) and full downloads.

`statement_response` is the inline result of `…/query-result` and `execute-query`.
`GenieDownloads` serves the full-result download the way Genie does (sdk `GenieAPI`
`generate_download_full_query_result` / `get_download_full_query_result`): a download id and a
signature, a statement that runs for a moment and then lists `EXTERNAL_LINKS` chunk by chunk
(`next_chunk_internal_link` for the next one), and the links themselves, served here and refused
when a request carries Authorization, as presigned cloud-storage links are.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from mas.demo.engine import QueryResult
from mas.demo.genie_format import statement_id
from mas.demo.routes import ApiRequest, ApiResponse, Route, error, route

INLINE_ROWS = 5_000
"""Genie's inline query result holds at most this many rows (wave2-platform.md §3.3)."""
CHUNK_ROWS = 10_000


def sign(download_id: str) -> str:
    return hashlib.sha256(f"demo-signature:{download_id}".encode()).hexdigest()[:32]


def manifest(result: QueryResult) -> dict[str, Any]:
    columns = [
        {"name": c.name, "type_name": c.type_name, "type_text": c.type_text, "position": i}
        for i, c in enumerate(result.columns)
    ]
    return {
        "format": "JSON_ARRAY",
        "schema": {"column_count": len(columns), "columns": columns},
        "total_row_count": len(result.rows),
    }


def statement_response(result: QueryResult, sql: str) -> dict[str, Any]:
    """The inline statement result Genie returns: at most 5,000 rows, `truncated` past that."""
    rows = result.string_rows()[:INLINE_ROWS]
    return {
        "statement_id": statement_id(sql),
        "status": {"state": "SUCCEEDED"},
        "manifest": {
            **manifest(result),
            "truncated": len(result.rows) > INLINE_ROWS,
            "total_chunk_count": 1,
            "chunks": [{"chunk_index": 0, "row_offset": 0, "row_count": len(rows)}],
        },
        "result": {"chunk_index": 0, "row_offset": 0, "row_count": len(rows), "data_array": rows},
    }


class GenieDownloads:
    """Full downloads in progress and done; `step_seconds()` is how long one takes to get ready."""

    def __init__(self, *, step_seconds: Callable[[], float]) -> None:
        self._step = step_seconds
        self._downloads: dict[str, tuple[QueryResult, float]] = {}
        self._lock = threading.Lock()

    def routes(self) -> list[Route]:
        return [
            route("GET", r"/api/2\.0/sql/statements/download-([^/]+)/result/chunks/(\d+)", self._next_chunk),
            route("GET", r"/genie-files/([^/]+)/(\d+)", self._external_file),
        ]

    def start(self, result: QueryResult) -> ApiResponse:
        download_id = uuid.uuid4().hex
        with self._lock:
            self._downloads[download_id] = (result, time.monotonic())
        return ApiResponse(200, {"download_id": download_id, "download_id_signature": sign(download_id)})

    def _get(self, download_id: str) -> tuple[QueryResult, float] | None:
        with self._lock:
            return self._downloads.get(download_id)

    def status(self, request: ApiRequest, download_id: str) -> ApiResponse:
        entry = self._get(download_id)
        if entry is None or request.query.get("download_id_signature") != sign(download_id):
            return error(403, "PERMISSION_DENIED", "The download id or its signature is not valid.")
        result, created = entry
        sid = f"download-{download_id}"
        if time.monotonic() - created < self._step():
            return ApiResponse(
                200, {"statement_response": {"statement_id": sid, "status": {"state": "RUNNING"}}}
            )
        rows = len(result.rows)
        chunks = max(1, math.ceil(rows / CHUNK_ROWS))
        listed = [
            {
                "chunk_index": i,
                "row_offset": i * CHUNK_ROWS,
                "row_count": min(CHUNK_ROWS, rows - i * CHUNK_ROWS),
            }
            for i in range(chunks)
        ]
        described = {**manifest(result), "total_chunk_count": chunks, "truncated": False, "chunks": listed}
        first = self._link(request, download_id=download_id, chunk=0, rows=rows)
        body = {
            "statement_id": sid,
            "status": {"state": "SUCCEEDED"},
            "manifest": described,
            "result": {"external_links": [first]},
        }
        return ApiResponse(200, {"statement_response": body})

    def _link(self, request: ApiRequest, *, download_id: str, chunk: int, rows: int) -> dict[str, Any]:
        host = request.headers.get("Host") or request.headers.get("host") or "127.0.0.1"
        url = f"http://{host}/genie-files/{download_id}/{chunk}?X-Amz-Signature={sign(download_id)}"
        link: dict[str, Any] = {
            "chunk_index": chunk,
            "row_offset": chunk * CHUNK_ROWS,
            "row_count": max(0, min(CHUNK_ROWS, rows - chunk * CHUNK_ROWS)),
            "external_link": url,
            "expiration": "2099-01-01T00:00:00Z",
        }
        if (chunk + 1) * CHUNK_ROWS < rows:
            link["next_chunk_index"] = chunk + 1
            link["next_chunk_internal_link"] = (
                f"/api/2.0/sql/statements/download-{download_id}/result/chunks/{chunk + 1}"
            )
        return link

    def _next_chunk(self, request: ApiRequest) -> ApiResponse:
        download_id = request.groups[0]
        entry = self._get(download_id)
        if entry is None:
            return error(404, "RESOURCE_DOES_NOT_EXIST", "No such statement.")
        link = self._link(
            request, download_id=download_id, chunk=int(request.groups[1]), rows=len(entry[0].rows)
        )
        return ApiResponse(200, {"external_links": [link]})

    def _external_file(self, request: ApiRequest) -> ApiResponse:
        if request.identity is not None:
            # What S3 says when a presigned URL also gets an Authorization header.
            message = "Only one auth mechanism allowed: the request has a signature and an Authorization."
            return error(400, "InvalidArgument", message)
        entry = self._get(request.groups[0])
        if entry is None or request.query.get("X-Amz-Signature") != sign(request.groups[0]):
            return error(403, "AccessDenied", "Request has expired or the signature does not match.")
        start = int(request.groups[1]) * CHUNK_ROWS
        return ApiResponse(200, entry[0].string_rows()[start : start + CHUNK_ROWS])
