"""Tests of mas.decode: fixture streams replayed whole, byte by byte and at random chunk sizes."""

from __future__ import annotations

from streams import byte_by_byte, decoded, random_chunks, sse_body


def test_text_tool_call_and_done_from_a_responses_stream() -> None:
    body = sse_body(
        {"type": "response.output_text.delta", "item_id": "m1", "delta": "Hi "},
        {"type": "response.output_text.delta", "item_id": "m1", "delta": "there."},
        {
            "type": "response.output_item.done",
            "item": {
                "type": "message",
                "id": "m1",
                "content": [{"type": "output_text", "text": "Hi there."}],
            },
        },
        {"type": "response.completed"},
    )
    expected = [
        {"type": "text.delta", "delta": "Hi "},
        {"type": "text.delta", "delta": "there."},
        {"type": "done"},
    ]
    assert decoded([body]) == expected
    assert decoded(byte_by_byte(body)) == expected
    assert decoded(random_chunks(body, seed=1)) == expected
