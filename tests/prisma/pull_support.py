"""The round trip of ``inspect --format prisma``: inspect a database, write it as a Prisma
schema, push that schema into an empty database, inspect that one too."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.helpers import DIALECT, inspect_db
from tests.postgres import support as pg
from trueup.diff.changes import Change
from trueup.diff.differ import diff
from trueup.model import Schema
from trueup.push import push
from trueup.sources import load_schema
from trueup.sources.prisma.pull import render_prisma
from trueup.urls import parse_url


@dataclass(frozen=True)
class RoundTrip:
    original: Schema
    text: str  # the pulled schema.prisma
    pushed: Schema  # what pushing it into an empty database made

    provider: str = "sqlite"

    @property
    def changes(self) -> list[Change]:
        """What differs between the two databases (the differ with the engine's hooks)."""
        hooks = DIALECT.hooks if self.provider == "sqlite" else pg.DIALECT.hooks
        return diff(self.original, self.pushed, hooks)


def round_trip(database: Path, folder: Path) -> RoundTrip:
    original = inspect_db(database)
    text = render_prisma(original, "sqlite")
    pulled = folder / "pulled.prisma"
    pulled.write_text(text)
    fresh = folder / "from_pulled.db"
    fresh.unlink(missing_ok=True)
    push(parse_url(str(fresh)), load_schema(str(pulled), "sqlite").schema)
    return RoundTrip(original, text, inspect_db(fresh))


def round_trip_postgres(original: pg.Server, empty: pg.Server, folder: Path) -> RoundTrip:
    """The same on PostgreSQL: ``original`` is pulled, the result pushed into ``empty``
    (reading the pulled schema needs a server for its scratch database: $DATABASE_URL)."""
    schema = pg.inspect_db(original)
    text = render_prisma(schema, "postgresql")
    pulled = folder / "pulled.prisma"
    pulled.write_text(text)
    push(empty.database_url, load_schema(str(pulled), "postgresql").schema)
    return RoundTrip(schema, text, pg.inspect_db(empty), "postgresql")
