"""Readable names for the agents and tools a Supervisor calls, from the raw names on the wire.

A live Supervisor names a Genie sub-agent `genie-<32-hex space id>` and others `agent-<slug>`,
`mcp-<server>__<tool>` or `catalog__schema__function` (shared/notes/mas-output.md §1). This module
only reads names; looking a space's title up in the workspace is `mas.endpoint.genie_spaces`.
"""

from __future__ import annotations

import re

# Some builds spell the space id with underscores, B replaces them before its lookup (notes §1).
_GENIE = re.compile(r"genie[-_]((?:[0-9a-f][-_]?){31}[0-9a-f])", re.IGNORECASE)
_PREFIXES = ("agent-", "agent_", "mcp-", "mcp_", "app-agent-", "app-")


def space_id(name: str | None) -> str | None:
    """The Genie space id in a `genie-<id>` tool or marker name (32 lower-case hex digits), else None."""
    if not name:
        return None
    match = _GENIE.fullmatch(name.strip())
    return re.sub(r"[-_]", "", match.group(1)).lower() if match else None


def _words(slug: str) -> str:
    words = [w for w in re.split(r"[-_\s]+", slug) if w]
    return " ".join(w if w.isupper() else w[:1].upper() + w[1:] for w in words)


def readable_name(name: str | None, *, titles: dict[str, str] | None = None) -> str:
    """How a person should read a tool or agent name: a space's title when known, else the slug in words.

    `genie-01f0…` → the title in `titles`, else "Genie space 01f0a1b2"; `agent-revenue-genie` →
    "Revenue Genie"; `supervisor-agent-x` → "Supervisor"; `mcp-jira__create_issue` → "Jira: Create
    Issue"; `main__sales__fn` → "Fn"; a name in no known scheme stays as it is.
    """
    if not name:
        return "Agent"
    raw = name.strip()
    space = space_id(raw)
    if space is not None:
        known = (titles or {}).get(space)
        return known if known else f"Genie space {space[:8]}"
    lowered = raw.lower()
    if "supervisor" in lowered:
        # The Supervisor names itself before its final answer (`supervisor-agent-…`, notes §3).
        return "Supervisor"
    prefix = next((p for p in sorted(_PREFIXES, key=len, reverse=True) if lowered.startswith(p)), "")
    rest = raw[len(prefix) :] or raw
    if "__" in rest:
        pieces = [p for p in rest.split("__") if p]
        if prefix.startswith("mcp") and len(pieces) >= 2:
            return f"{_words(pieces[0])}: {_words(' '.join(pieces[1:]))}"
        return _words(pieces[-1]) if pieces else _words(rest)
    # A name in no known scheme is shown as it came: guessing words into it could mislead.
    return _words(rest) if prefix else raw
