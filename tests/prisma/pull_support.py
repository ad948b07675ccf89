"""The round trip of ``inspect --format prisma`` on SQLite: inspect a database, write it as a
Prisma schema, push that schema into an empty database, inspect that one too."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.helpers import DIALECT, inspect_db
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

    @property
    def changes(self) -> list[Change]:
        """What differs between the two databases (the differ with SQLite's hooks)."""
        return diff(self.original, self.pushed, DIALECT.hooks)


def round_trip(database: Path, folder: Path) -> RoundTrip:
    original = inspect_db(database)
    text = render_prisma(original, "sqlite")
    pulled = folder / "pulled.prisma"
    pulled.write_text(text)
    fresh = folder / "from_pulled.db"
    fresh.unlink(missing_ok=True)
    push(parse_url(str(fresh)), load_schema(str(pulled), "sqlite").schema)
    return RoundTrip(original, text, inspect_db(fresh))
