"""SQLite URI filenames (https://sqlite.org/uri.html) for a database file's path."""

from __future__ import annotations

import os
from urllib.parse import quote_from_bytes


def file_uri(path: str, **params: str) -> str:
    """``file:`` URI of ``path`` with query parameters such as ``mode="ro"``. The path is
    percent-encoded, so a "?" or "#" in a file name stays part of the name."""
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return _path_uri(os.path.abspath(path)) + (f"?{query}" if query else "")


def _path_uri(path: str) -> str:
    if os.name == "nt":  # drive letters and backslashes: pathlib knows them
        from pathlib import Path

        return Path(path).as_uri()
    # What pathlib's as_uri() gives on POSIX, without importing pathlib (a cost to every
    # start, which reads the database's state through such a URI).
    return "file://" + quote_from_bytes(os.fsencode(path))
