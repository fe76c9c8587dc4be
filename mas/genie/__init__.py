"""Asking one Genie space directly through the Genie Conversation API (`MAS_BACKEND=genie`).

`conversation.GenieBackend.stream_events` yields the same typed events as the Supervisor path
(plus `status` progress); `http` is the authenticated JSON client, `pacing` the poll schedule and
the per-workspace rate-limit queue, `attachments` turns Genie messages into events, `download`
streams a full result, `feedback` rates an answer. No Streamlit here.
"""
