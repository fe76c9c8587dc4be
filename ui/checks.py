"""The number check on the page: figures of an answer that its results do not hold, marked and noted.

Once a turn has ended, `mas.figures.unsupported` reads each of its text parts and each Genie text
attachment against every table the turn returned; a flagged figure is drawn with a highlight and
the answer ends with one short note ("$5.2M is not in the results of this answer"). It never
blocks or changes an answer. Findings are kept per turn in the session (never on the record).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from mas.figures import Figure, unsupported
from mas.transcript import TextPart, ToolPart, Turn
from ui.text import answer_markdown, literal

MARK = "orange-badge"
"""Streamlit Markdown's `:orange-badge[…]` directive: the pill a flagged figure gets."""
_STATE_KEY = "figure_checks"


@dataclass(frozen=True)
class TurnCheck:
    """What the number check found in one ended turn, by part index."""

    texts: dict[int, list[Figure]] = field(default_factory=dict)
    """Flagged figures of each text part."""
    tools: dict[int, list[Figure]] = field(default_factory=dict)
    """Flagged figures of each tool part's own prose (a Genie text attachment)."""

    @property
    def flagged(self) -> list[str]:
        """Each flagged figure once, as written, in answer order."""
        found = [f.text for figures in (*self.texts.values(), *self.tools.values()) for f in figures]
        return list(dict.fromkeys(found))


def tables_of(turn: Turn) -> list[pd.DataFrame]:
    return [p.result.table for p in turn.tools if p.result is not None and p.result.table is not None]


def check_turn(turn: Turn) -> TurnCheck:
    """Run the check over an ended turn (nothing is flagged while it streams or without a table)."""
    tables = tables_of(turn)
    if turn.status == "streaming" or not tables:
        return TurnCheck()
    texts: dict[int, list[Figure]] = {}
    tools: dict[int, list[Figure]] = {}
    for index, part in enumerate(turn.parts):
        if isinstance(part, TextPart):
            found = unsupported(part.text, tables)
            if found:
                texts[index] = found
        elif part.result is not None and part.result.text and not part.result.is_error:
            found = unsupported(part.result.text, tables)
            if found:
                tools[index] = found
    return TurnCheck(texts=texts, tools=tools)


def of(turn: Turn) -> TurnCheck:
    """The turn's check, computed once per state of the turn and kept in this session."""
    cache: dict[str, tuple[tuple[object, ...], TurnCheck]] = st.session_state.setdefault(_STATE_KEY, {})
    signature = (turn.status, len(turn.parts), len(turn.answer_text), len(turn.tools))
    kept = cache.get(turn.id)
    if kept is None or kept[0] != signature:
        kept = cache[turn.id] = (signature, check_turn(turn))
    return kept[1]


def marked(text: str, figures: Sequence[Figure], *, escape: Callable[[str], str] = answer_markdown) -> str:
    """`text` as Markdown (through `escape`) with each flagged figure highlighted."""
    out: list[str] = []
    at = 0
    for figure in sorted(figures, key=lambda f: f.start):
        if figure.start < at:
            continue
        out.append(escape(text[at : figure.start]))
        out.append(f":{MARK}[{literal(figure.text)}]")
        at = figure.end
    out.append(escape(text[at:]))
    return "".join(out)


def note_text(check: TurnCheck) -> str | None:
    """The one-line note under a flagged answer, or None when nothing was flagged."""
    flagged = check.flagged
    if not flagged:
        return None
    shown = [literal(f) for f in flagged[:4]]
    if len(flagged) > len(shown):
        words = ", ".join(shown) + f" and {len(flagged) - len(shown)} more"
    else:
        words = " and ".join([", ".join(shown[:-1]), shown[-1]] if len(shown) > 1 else shown)
    return f"{words} {'is' if len(flagged) == 1 else 'are'} not in the results of this answer."


def answer_text(turn: Turn, index: int, part: TextPart) -> str:
    """A text part's Markdown, flagged figures highlighted."""
    return marked(part.text, of(turn).texts.get(index, ()))


def tool_text(turn: Turn | None, index: int | None, part: ToolPart) -> str:
    """A tool part's own prose as a caption's Markdown, flagged figures highlighted."""
    text = part.result.text if part.result is not None else ""
    if turn is None or index is None:
        return literal(text)
    return marked(text, of(turn).tools.get(index, ()), escape=literal)


def note(turn: Turn) -> None:
    """Draw the note under an answer whose figures were flagged; nothing otherwise."""
    text = note_text(of(turn))
    if text is not None:
        st.caption(f":material/rule: **Number check:** {text}")
