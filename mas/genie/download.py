"""Every row of a Genie query result, as CSV bytes streamed chunk by chunk (never all in memory).

Genie's inline result stops at 5,000 rows. `full_result_csv` asks for a full download
(`…/attachments/{id}/downloads`), polls it until the statement succeeded, then fetches each
`EXTERNAL_LINKS` chunk — without the Authorization header, which presigned links refuse — and
follows `next_chunk_internal_link` for chunks not listed yet (sdk `sql.ExternalLink`). Chunks in
`JSON_ARRAY`, `CSV` or `ARROW_STREAM` become one CSV; `progress` hears rows done and rows in all.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import time
from collections.abc import Callable, Generator, Iterator, Mapping
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv

from mas.errors import GenieError
from mas.genie.attachments import Ids
from mas.genie.http import GenieHttp

logger = logging.getLogger(__name__)

Progress = Callable[[int, int | None], None]
"""Called with (rows written so far, rows in all when known)."""
MAX_CHUNK_BYTES = 512 * 1024 * 1024


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _csv_line(values: list[Any]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(["" if v is None else v for v in values])
    return out.getvalue().encode()


def _wait_ready(
    http: GenieHttp, ids: Ids, *, attachment_id: str, timeout: float, sleep: Callable[[float], None]
) -> dict[str, Any]:
    started = http.generate_download(ids, attachment_id)
    download_id, signature = started.get("download_id"), started.get("download_id_signature")
    if not isinstance(download_id, str) or not isinstance(signature, str):
        raise GenieError("Genie did not start the full download (no download id).", code="protocol")
    deadline = time.monotonic() + timeout
    delay = 0.5
    while True:
        answer = http.get_download(ids, attachment_id, download_id=download_id, signature=signature)
        statement = answer.get("statement_response")
        status = statement.get("status") if isinstance(statement, Mapping) else None
        state = status.get("state") if isinstance(status, Mapping) else None
        if state == "SUCCEEDED" and isinstance(statement, dict):
            return statement
        if state in ("FAILED", "CANCELED", "CLOSED"):
            detail = status.get("error") if isinstance(status, Mapping) else None
            text = detail.get("message") if isinstance(detail, Mapping) else None
            raise GenieError(f"The full download failed ({text or state}). Try again.", code="download")
        if time.monotonic() > deadline:
            raise GenieError("The full download did not get ready in time. Try again.", code="timeout")
        sleep(delay)
        delay = min(delay * 1.5, 5.0)


def full_result_csv(
    http: GenieHttp,
    ids: Ids,
    *,
    attachment_id: str,
    progress: Progress | None = None,
    timeout: float = 600.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Generator[bytes, None, None]:
    """CSV bytes of every row: a header line, then each chunk as it is fetched."""
    statement = _wait_ready(http, ids, attachment_id=attachment_id, timeout=timeout, sleep=sleep)
    manifest = _dict(statement.get("manifest"))
    schema = _dict(manifest.get("schema"))
    columns = [c for c in schema.get("columns") or [] if isinstance(c, dict)]
    total = manifest.get("total_row_count") if isinstance(manifest.get("total_row_count"), int) else None
    fmt = str(manifest.get("format") or "JSON_ARRAY")
    yield _csv_line([str(c.get("name", "")) for c in columns])
    result = _dict(statement.get("result"))
    pending = [link for link in result.get("external_links") or [] if isinstance(link, dict)]
    seen: set[int] = set()
    done = 0
    while pending:
        link = pending.pop(0)
        index = link.get("chunk_index")
        if isinstance(index, int):
            if index in seen:
                continue
            seen.add(index)
        url = link.get("external_link")
        if not isinstance(url, str):
            raise GenieError("Genie's download lists a chunk without a link.", code="protocol")
        headers = {str(k): str(v) for k, v in _dict(link.get("http_headers")).items()}
        for data, rows in _chunk(http, url, headers=headers, fmt=fmt):
            done += rows
            yield data
        if progress is not None:
            progress(done, total)
        follow = link.get("next_chunk_internal_link")
        if isinstance(follow, str) and link.get("next_chunk_index") not in seen and not pending:
            more = http.workspace_json(follow).get("external_links") or []
            pending += [m for m in more if isinstance(m, dict)]
    logger.info("[GENIE] full download of %s: %d rows", attachment_id, done)


def _chunk(http: GenieHttp, url: str, *, headers: dict[str, str], fmt: str) -> Iterator[tuple[bytes, int]]:
    with http.external(url, headers=headers) as response:
        if fmt == "CSV":
            # Statement Execution CSV chunks are plain rows; passed through as they arrive.
            for data in response.iter_bytes():
                yield data, data.count(b"\n")
            return
        body = bytearray()
        for data in response.iter_bytes():
            body += data
            if len(body) > MAX_CHUNK_BYTES:
                raise GenieError("A download chunk is larger than expected.", code="protocol")
    if fmt == "ARROW_STREAM":
        table = pa.ipc.open_stream(pa.BufferReader(bytes(body))).read_all()
        out = io.BytesIO()
        pa_csv.write_csv(table, out, write_options=pa_csv.WriteOptions(include_header=False))
        yield out.getvalue(), table.num_rows
        return
    rows = json.loads(body)
    if not isinstance(rows, list):
        raise GenieError("A download chunk is not a JSON array of rows.", code="protocol")
    out_text = io.StringIO()
    writer = csv.writer(out_text, lineterminator="\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row] if isinstance(row, list) else [row])
    yield out_text.getvalue().encode(), len(rows)
