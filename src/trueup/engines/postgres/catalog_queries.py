"""The text of the catalog queries (``queries/*.sql``), read once each.

The queries name the catalog's columns as the newest server has them. A column that
PostgreSQL 13 (the oldest server trueup reads) lacks is listed in ``NEWER_COLUMNS``: for a
server older than the column, the query has the value the column would hold there instead."""

from __future__ import annotations

from functools import cache
from importlib import resources

#: Catalog columns newer than PostgreSQL 13, as the queries name them: the first server
#: version (``server_version_num``) that has each, and the value that stands in for it
#: before.
NEWER_COLUMNS = {
    "i.indnullsnotdistinct": (150000, "false"),  # NULLS NOT DISTINCT, PostgreSQL 15
}


@cache
def query_text(name: str, server_version: int | None = None) -> str:
    """The query ``name``, for a server of ``server_version`` (``server_version_num``;
    None for the newest)."""
    text = (resources.files("trueup.engines.postgres") / "queries" / f"{name}.sql").read_text()
    for column, (since, before) in NEWER_COLUMNS.items():
        if server_version is not None and server_version < since:
            text = text.replace(column, before)
    return text
