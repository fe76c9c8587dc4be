"""The endpoint layer: who to ask and as whom, the streaming HTTP client, and what failures mean.

`connection` chooses demo or workspace and the identity, `auth` builds the per-user client,
`client` streams typed events, `preflight` checks an endpoint up front, and `http_errors`
words every failure for an analyst. The only layer under `mas/` that talks to a workspace.
"""
