"""Knowledge-assistant citations: markers numbered, links kept only when http(s), titles escaped."""

from __future__ import annotations

import pytest
from streams import load

from mas.citations import footnote_markdown, footnotes, number_markers, safe_url
from mas.transcript import Turn, apply_event, citations, finish
from mas.wire.decode import iter_events


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://example.com/a.pdf#page=2", "https://example.com/a.pdf#page=2"),
        ("HTTP://example.com/x", "HTTP://example.com/x"),
        ("https://example.com/a b)c", "https://example.com/a%20b%29c"),
        ("javascript:alert(1)", None),
        (" JavaScript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("/Volumes/docs/file.pdf", None),
        ("https://exa\nmple.com", None),
        ("https:///nohost", None),
        (None, None),
    ],
)
def test_only_absolute_http_links_are_kept(url: str | None, kept: str | None) -> None:
    assert safe_url(url) == kept


def test_markers_are_numbered_in_order_of_first_appearance() -> None:
    numbering: dict[str, int] = {}
    assert number_markers("a[^x-1] b[^y-2]", numbering) == "a\\[1\\] b\\[2\\]"
    assert number_markers("again[^x-1] new[^z]", numbering) == "again\\[1\\] new\\[3\\]"
    assert number_markers("no markers [here]", numbering) == "no markers [here]"


def test_footnotes_pair_with_markers_and_unsafe_links_are_inert_titles() -> None:
    cited = [("Policy [v2]", "https://example.com/p.pdf"), ("Evil", "javascript:alert(1)")]
    notes = footnotes(cited, markers=3)
    assert [n.number for n in notes] == [1, 2, 3]
    assert footnote_markdown(notes[0]) == "\\[1\\] [Policy \\[v2\\]](https://example.com/p.pdf)"
    assert footnote_markdown(notes[1]) == "\\[2\\] Evil" and notes[1].url is None
    assert footnote_markdown(notes[2]) == "\\[3\\] Source not given"


def test_a_cited_stream_keeps_each_citation_once_on_its_text() -> None:
    turn = Turn(question="q")
    for event in iter_events([load("ka_url_citations_footnotes.sse")]):
        apply_event(turn, event)
    finish(turn)
    assert [title for title, _ in citations(turn)] == ["Returns policy.pdf", "Refunds <b>FAQ</b>"]
    again = Turn.from_dict(turn.to_dict())
    assert citations(again) == citations(turn)
