"""A thumbs-up or -down on a Genie answer, sent to Genie's own feedback API.

`send_feedback` posts `{rating: POSITIVE|NEGATIVE|NONE, comment?}` to
`…/conversations/{c}/messages/{m}/feedback` (sdk `GenieAPI.send_message_feedback`; the comment is
at most 5,000 characters, wave2-platform.md §2.2) as the connection's identity. It does not
record votes anywhere else, and it raises `GenieError` when Genie refuses.
"""

from __future__ import annotations

from typing import Literal

from mas.genie.attachments import Ids
from mas.genie.http import GenieHttp

Rating = Literal["POSITIVE", "NEGATIVE", "NONE"]
MAX_COMMENT_CHARS = 5_000


def rating_for(thumb: int | bool | None) -> Rating:
    """Streamlit's `st.feedback("thumbs")` value (1 up, 0 down, None cleared) as Genie's rating."""
    if thumb is None:
        return "NONE"
    return "POSITIVE" if int(thumb) == 1 else "NEGATIVE"


def send_feedback(http: GenieHttp, ids: Ids, *, rating: Rating, comment: str | None = None) -> None:
    """Rate one Genie message; `NONE` clears an earlier rating."""
    text = (comment or "").strip()[:MAX_COMMENT_CHARS] or None
    http.send_feedback(ids, rating=rating, comment=text)
