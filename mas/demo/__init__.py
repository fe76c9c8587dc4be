"""The embedded demo: a local Multi-Agent Supervisor emulator answering from a revenue dataset.

`mas.demo.supervisor.DemoSupervisor` is the demo's brain (dataset, read-only DuckDB engine,
question → SQL rules, MAS-shaped wire events); `mas.demo.server.Emulator` serves it over HTTP.
Importing this package loads neither DuckDB nor the HTTP server.
"""

from __future__ import annotations
