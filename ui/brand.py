"""The brand's marks as inline images: the page icon and the assistant's avatar, in the primary blue.

Both are SVG data URLs, so the browser fetches nothing for them: Streamlit loads a
`:material/…` page icon from fonts.gstatic.com, which fails on machines without internet and
sends a request outside the workspace. The theme's colours themselves are in
`.streamlit/config.toml`; this module is only the two marks that config cannot set.
"""

from __future__ import annotations

import base64

PRIMARY = "#2F7FD9"
ACCENT = "#EC3115"

# A rising line in a rounded square: "revenue insights", readable at favicon size.
_MARK = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
    f'<rect width="32" height="32" rx="8" fill="{PRIMARY}"/>'
    '<path d="M7 21.5l6-6.5 4.5 4 7.5-9" fill="none" stroke="#FFFFFF" stroke-width="2.6" '
    'stroke-linecap="round" stroke-linejoin="round"/>'
    f'<circle cx="25" cy="10" r="2.4" fill="{ACCENT}"/>'
    "</svg>"
)


def _data_url(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


PAGE_ICON = _data_url(_MARK)
ASSISTANT_AVATAR = PAGE_ICON
"""The assistant's bubbles wear the app's mark (Streamlit's own assistant avatar is orange, off-brand)."""
