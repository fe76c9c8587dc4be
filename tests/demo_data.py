"""The demo dataset for the demo's tests: generated once per test process into a temporary folder.

Each demo test module wraps `demo_data_dir()` in a session-scoped fixture; the cache here makes
them share one generation (about a second) instead of one each.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

from mas.demo.dataset import ensure_dataset


@functools.cache
def demo_data_dir() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="mas-demo-data-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    ensure_dataset(folder)
    return folder
