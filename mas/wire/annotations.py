"""Citations on answer text: `url_citation` annotations, streamed or on a finished message item.

A Knowledge Assistant sub-agent streams `response.output_text.annotation.added` events whose
`annotation` is `{"type": "url_citation", "title", "url"}`, and a message's `.done` item may carry
the same list in its `output_text` parts (shared/notes/mas-output.md §3). These become `Citation`
events, passed on as they came; making links safe and numbering footnotes is `mas.citations`.
"""

from __future__ import annotations

from typing import Any

from mas.wire.events import Citation, Event
from mas.wire.toolcalls import as_text

CITATION_TYPES = frozenset({"url_citation", "file_citation"})


def citation(annotation: Any) -> Citation | None:
    """The citation an annotation object makes, or None for other annotation kinds."""
    if not isinstance(annotation, dict) or annotation.get("type") not in CITATION_TYPES:
        return None
    title = as_text(annotation.get("title")) or as_text(annotation.get("filename"))
    url = as_text(annotation.get("url"))
    if title is None and url is None:
        return None
    return Citation(title=title, url=url)


def streamed_citation(wire: dict[str, Any]) -> list[Event]:
    """A `response.output_text.annotation.added` event's citation."""
    found = citation(wire.get("annotation"))
    return [found] if found is not None else []


def citations_in_item(item: dict[str, Any]) -> list[Event]:
    """The citations in a finished message item's `output_text` parts."""
    content = item.get("content")
    if not isinstance(content, list):
        return []
    out: list[Event] = []
    for part in content:
        annotations = part.get("annotations") if isinstance(part, dict) else None
        for annotation in annotations if isinstance(annotations, list) else ():
            found = citation(annotation)
            if found is not None:
                out.append(found)
    return out
