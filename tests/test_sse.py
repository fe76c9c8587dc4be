"""Tests of mas.wire.sse: WHATWG event-stream framing over bytes, whatever the chunking."""

from __future__ import annotations

import os
from collections.abc import Iterable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from streams import byte_by_byte, split_at

from mas.wire.sse import SSEEvent, SSEParser

EXAMPLES = settings(max_examples=int(os.environ.get("MAS_HYPOTHESIS_EXAMPLES", "200")), deadline=None)


def parse(chunks: Iterable[bytes]) -> tuple[list[SSEEvent], bool]:
    parser = SSEParser()
    events: list[SSEEvent] = []
    for chunk in chunks:
        events.extend(parser.feed(chunk))
    events.extend(parser.finish())
    return events, parser.truncated


def datas(chunks: Iterable[bytes]) -> list[str]:
    return [event.data for event in parse(chunks)[0]]


@pytest.mark.parametrize("end", ["\n", "\r", "\r\n"])
def test_each_line_end_frames_events(end: str) -> None:
    body = f"data: one{end}{end}data: two{end}{end}".encode()
    assert datas([body]) == ["one", "two"]
    assert datas(byte_by_byte(body)) == ["one", "two"]


def test_a_cr_at_a_chunk_boundary_followed_by_lf_is_one_line_end() -> None:
    assert datas([b"data: a\r", b"\n\r", b"\ndata: b\r\n\r\n"]) == ["a", "b"]


def test_a_cr_at_a_chunk_boundary_followed_by_more_text_is_a_line_end() -> None:
    assert datas([b"data: a\r", b"\r", b"data: b\r", b"\r"]) == ["a", "b"]


def test_comments_are_ignored() -> None:
    assert datas([b": keep-alive\n\n:\n\ndata: x\n: inside an event\n\n"]) == ["x"]


def test_event_id_and_retry_fields() -> None:
    events, _ = parse([b"retry: 1500\nid: 7\nevent: update\ndata: x\n\ndata: y\n\n"])
    assert events == [
        SSEEvent(data="x", event="update", id="7", retry=1500),
        SSEEvent(data="y", event="message", id="7"),
    ]


def test_an_invalid_retry_and_an_id_with_nul_are_ignored() -> None:
    events, _ = parse([b"id: 1\n\nretry: soon\nid: a\x00b\ndata: x\n\n"])
    assert events[-1] == SSEEvent(data="x", event="message", id="1")


def test_multi_line_data_joins_with_lf() -> None:
    assert datas([b"data: a\ndata:b\ndata:  c\n\n"]) == ["a\nb\n c"]


def test_field_without_a_colon_and_unknown_fields() -> None:
    assert datas([b"data\nfoo: bar\n\n"]) == [""]


@pytest.mark.parametrize("text", ["é", "€", "日本語", "🙂", "a🙂b€c"])
def test_utf8_characters_split_across_chunks(text: str) -> None:
    body = f"data: {text}\n\n".encode()
    for cut in range(len(body)):
        assert datas(split_at(body, [cut])) == [text]
    assert datas(byte_by_byte(body)) == [text]


def test_a_leading_bom_is_dropped_even_split() -> None:
    assert datas([b"\xef", b"\xbb", b"\xbfdata: x\n\n"]) == ["x"]


def test_invalid_utf8_is_replaced() -> None:
    assert datas([b"data: a\xffb\n\n"]) == ["a\ufffdb"]


def test_a_line_of_megabytes_in_small_chunks() -> None:
    payload = "x" * 4_000_000 + "é"
    body = f"data: {payload}\r\n\r\n".encode()
    chunks = [body[i : i + 4096] for i in range(0, len(body), 4096)]
    assert datas(chunks) == [payload]


@pytest.mark.parametrize(
    ("body", "truncated", "expected"),
    [
        (b"data: a\n\n", False, ["a"]),
        (b"data: a\n", False, ["a"]),
        (b"data: a\r", False, ["a"]),
        (b"data: a\n\ndata: b", True, ["a"]),
        (b"data: a\n\n: comment cut", True, ["a"]),
        (b"data: a\n\ndata: \xc3", True, ["a"]),
        (b"", False, []),
    ],
)
def test_truncated_reports_bytes_after_the_last_line_end(
    body: bytes, truncated: bool, expected: list[str]
) -> None:
    events, was_truncated = parse([body])
    assert was_truncated is truncated
    assert [event.data for event in events] == expected
    events, was_truncated = parse(byte_by_byte(body))
    assert was_truncated is truncated
    assert [event.data for event in events] == expected


def test_an_incomplete_event_is_dispatched_at_a_clean_end() -> None:
    assert parse([b"event: x\ndata: a\ndata: b\n"])[0] == [SSEEvent(data="a\nb", event="x")]


_PIECES = st.sampled_from(
    [
        b"data",
        b":",
        b" ",
        b"x",
        b"\xc3\xa9",
        b"\xf0\x9f\x99\x82",
        b"\n",
        b"\r",
        b"\r\n",
        b"id",
        b"event",
        b"retry",
        b"5",
    ]
)


@EXAMPLES
@given(st.lists(_PIECES, max_size=60), st.lists(st.integers(min_value=0, max_value=300), max_size=10))
def test_framing_does_not_depend_on_chunking(pieces: list[bytes], cuts: list[int]) -> None:
    body = b"".join(pieces)
    assert parse(split_at(body, cuts)) == parse([body])
    assert parse(byte_by_byte(body)) == parse([body])


@EXAMPLES
@given(st.lists(st.binary(max_size=40), max_size=10))
def test_arbitrary_bytes_never_raise(chunks: list[bytes]) -> None:
    parse(chunks)


def test_cr_inside_a_chunk_does_not_swallow_the_next_chunks_lf_regression() -> None:
    # `…b\r\rdata: c` then `\n\r\n…`: the CR ended its line mid-chunk, so the LF that opens the
    # next chunk is a line end of its own, not the second half of a CRLF.
    parser = SSEParser()
    first = parser.feed(b"data: b\r\rdata: c")
    second = parser.feed(b"\n\r\ndata: d\n\n")
    assert [e.data for e in first + second] == ["b", "c", "d"]
