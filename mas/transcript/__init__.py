"""The conversation record (`model`) and folding events into it (`fold`), under one name.

The UI, the API, the CLI and the store all build and read this one model.
"""

from __future__ import annotations

from mas.transcript.fold import (
    apply_event,
    attach_trace,
    citations,
    fail,
    finish,
    genie_question,
    stop,
    to_messages,
)
from mas.transcript.model import (
    SCHEMA_VERSION,
    Feedback,
    FeedbackState,
    Part,
    Rating,
    TextPart,
    ToolPart,
    ToolState,
    Turn,
    TurnStatus,
)

__all__ = [
    "SCHEMA_VERSION", "Feedback", "FeedbackState", "Part", "Rating", "TextPart", "ToolPart",
    "ToolState", "Turn", "TurnStatus", "apply_event", "attach_trace", "citations", "fail", "finish",
    "genie_question", "stop", "to_messages",
]
