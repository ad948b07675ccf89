"""SQLite URI filenames (https://sqlite.org/uri.html) for a database file's path."""

from __future__ import annotations

import os
from pathlib import Path


def file_uri(path: str, **params: str) -> str:
    """``file:`` URI of ``path`` with query parameters such as ``mode="ro"``. The path is
    percent-encoded, so a "?" or "#" in a file name stays part of the name."""
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return Path(os.path.abspath(path)).as_uri() + (f"?{query}" if query else "")
