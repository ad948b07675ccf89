"""The text of the catalog queries (``queries/*.sql``), read once each."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def query_text(name: str) -> str:
    return (resources.files("trueup.dialects.postgres") / "queries" / f"{name}.sql").read_text()
