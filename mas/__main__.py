"""`python -m mas`: the terminal client (see `mas.cli`)."""

from __future__ import annotations

from mas.cli import main

raise SystemExit(main())
