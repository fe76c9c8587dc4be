"""The history store: each user's conversations (whole transcript turns) and dashboard pins, kept in SQL.

One code path over SQLite and PostgreSQL (Lakebase included) with SQLAlchemy Core; every failure is
a `StoreError` the caller can show. The store never imports Streamlit and knows nothing of sessions:
callers pass the user id with every call, and every statement is scoped by it.
"""

from __future__ import annotations

from mas.store.engine import open_engine, redact
from mas.store.history import Conversation, ConversationInfo, Store
from mas.store.pins import StoredPin

__all__ = ["Conversation", "ConversationInfo", "Store", "StoredPin", "open_engine", "redact"]
