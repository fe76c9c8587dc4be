"""The wire layer: bytes from a serving endpoint → SSE events → wire dicts → typed `mas` events.

Each module is a pure generator stage (framing, JSON decoding, normalising one dialect's events
into the seed's four shapes) plus the request and event models. Nothing here does I/O.
"""
