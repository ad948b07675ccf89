"""trueup against Alembic's autogenerate, over a series of model changes: each change is
made to a database built by create_all() from the models before it, then compared by both
with the models after it (Alembic with ``compare_type`` and ``compare_server_default``).

trueup finds every change Alembic's documentation says autogenerate detects (tables,
columns, nullability, indexes, named unique constraints, foreign keys, server defaults,
types, comments) and those it says it does not (CHECK constraints, enum values, sequences,
renames, which trueup makes renames when hinted where Alembic sees a drop and an add).
And trueup's push makes each change, after which both find nothing left."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Sequence,
    String,
    Table,
    UniqueConstraint,
    create_engine,
    text,
)

from tests.postgres.support import Server
from tests.sqlalchemy_models.catalogs import sa_url
from trueup.diff import changes as ch
from trueup.push import plan_for, push
from trueup.sources.sqlalchemy.load import load_metadata
from trueup.urls import parse_url

Columns = Callable[[], list[Any]]


def models(
    *,
    author: Columns = lambda: [],
    book: Columns = lambda: [],
    tables: Callable[[MetaData], object] = lambda md: None,
    book_name: str = "book",
    author_name: str = "name",
) -> MetaData:
    md = MetaData()
    Table(
        "author",
        md,
        Column("id", Integer, primary_key=True),
        Column(
            author_name,
            String(100),
            nullable=False,
            info={"trueup": {"renamed_from": "name"}} if author_name != "name" else {},
        ),
        *author(),
    )
    Table(
        book_name,
        md,
        Column("id", Integer, primary_key=True),
        Column("title", String(200)),
        Column("author_id", Integer),
        *book(),
        info={"trueup": {"renamed_from": "book"}} if book_name != "book" else {},
    )
    tables(md)
    return md


@dataclass(frozen=True)
class Case:
    name: str

    def __str__(self) -> str:
        return self.name.replace(" ", "-")

    before: Callable[[], MetaData]
    after: Callable[[], MetaData]
    alembic: bool  # whether Alembic's autogenerate sees the change
    engines: tuple[str, ...] = ("sqlite", "postgresql")
    #: What trueup must make of it, when not just "some change".
    trueup: type | None = None


def fk(**kw: Any) -> Columns:
    return lambda: [Column("author_ref", Integer, ForeignKey("author.id", **kw))]


MOOD = ("happy", "sad")
CASES = [
    # What Alembic's documentation says autogenerate detects.
    Case("add a table", models, lambda: models(tables=_extra_table), True),
    Case("drop a table", lambda: models(tables=_extra_table), models, True),
    Case("add a column", models, lambda: models(book=lambda: [Column("pages", Integer)]), True),
    Case("drop a column", lambda: models(book=lambda: [Column("pages", Integer)]), models, True),
    Case(
        "make a column required",
        lambda: models(book=lambda: [Column("isbn", String(13))]),
        lambda: models(book=lambda: [Column("isbn", String(13), nullable=False)]),
        True,
    ),
    Case("add an index", models, lambda: models(tables=_title_index), True),
    Case("drop an index", lambda: models(tables=_title_index), models, True),
    Case(
        "add a named unique constraint",
        models,
        lambda: models(book=lambda: [UniqueConstraint("title", name="uq_book_title")]),
        True,
    ),
    Case("add a foreign key", models, lambda: models(book=fk()), True),
    Case(
        "drop a foreign key",
        lambda: models(book=fk()),
        lambda: models(book=lambda: [Column("author_ref", Integer)]),
        True,
    ),
    Case(
        "change a server default",
        lambda: models(book=lambda: [Column("stock", Integer, server_default=text("0"))]),
        lambda: models(book=lambda: [Column("stock", Integer, server_default=text("1"))]),
        True,
    ),
    Case(
        "change a type",
        lambda: models(book=lambda: [Column("isbn", String(13))]),
        lambda: models(book=lambda: [Column("isbn", String(20))]),
        True,
    ),
    Case(
        "widen an integer",
        lambda: models(book=lambda: [Column("copies", Integer)]),
        lambda: models(book=lambda: [Column("copies", BigInteger)]),
        True,
        engines=("postgresql",),  # SQLite stores both alike, and Alembic compares affinity
    ),
    Case(
        "comment a table",
        models,
        lambda: models(tables=lambda md: setattr(md.tables["author"], "comment", "who writes")),
        True,
        engines=("postgresql",),  # SQLite keeps no comments
    ),
    Case(
        "comment a column",
        models,
        lambda: models(book=lambda: [Column("isbn", String(13), comment="ISBN-13")]),
        True,
        engines=("postgresql",),
    ),
    # What it says it does not.
    Case(
        "add a CHECK constraint",
        models,
        lambda: models(book=lambda: [CheckConstraint("length(title) > 0", name="titled")]),
        False,
        trueup=ch.ModifyTable,
    ),
    Case(
        "add an enum value",
        lambda: models(book=lambda: [Column("mood", Enum(*MOOD, name="mood"))]),
        lambda: models(book=lambda: [Column("mood", Enum(*MOOD, "meh", name="mood"))]),
        False,
        engines=("postgresql",),
        trueup=ch.ModifyEnum,
    ),
    Case(
        "add a sequence",
        models,
        lambda: models(tables=lambda md: Sequence("ticket", start=100, metadata=md)),
        False,
        engines=("postgresql",),
        trueup=ch.AddSequence,
    ),
    Case(
        "change a sequence",
        lambda: models(tables=lambda md: Sequence("ticket", start=100, metadata=md)),
        lambda: models(tables=lambda md: Sequence("ticket", start=100, increment=5, metadata=md)),
        False,
        engines=("postgresql",),
        trueup=ch.ModifySequence,
    ),
    Case(
        "rename a column, with a hint",
        models,
        lambda: models(author_name="full_name"),
        True,  # as a drop and an add: the values would be lost
        trueup=ch.RenameColumn,
    ),
    Case(
        "rename a table, with a hint",
        models,
        lambda: models(book_name="volume"),
        True,  # as a drop and an add: the rows would be lost
        trueup=ch.RenameTable,
    ),
]


def _extra_table(md: MetaData) -> None:
    Table("shelf", md, Column("id", Integer, primary_key=True))


def _title_index(md: MetaData) -> None:
    Index("ix_book_title", md.tables["book"].c.title)


def alembic_diffs(url: str, metadata: MetaData) -> list[Any]:
    engine = create_engine(sa_url(url))
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": True}
            )
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def create_all(url: str, metadata: MetaData) -> None:
    engine = create_engine(sa_url(url))
    try:
        metadata.create_all(engine)
    finally:
        engine.dispose()


def changes_of(plan_changes: tuple[ch.Change, ...]) -> set[type]:
    out: set[type] = set()
    for change in plan_changes:
        out.add(type(change))
        if isinstance(change, ch.ModifyTable):
            out |= {type(part) for part in change.changes}
    return out


def compare(url: str, engine: str, case: Case) -> None:
    create_all(url, case.before())
    assert alembic_diffs(url, case.before()) == [], "the database is the models before"
    after = case.after()
    seen_by_alembic = alembic_diffs(url, after)
    declared = load_metadata(after, case.name, engine, url=parse_url(url))
    plan = plan_for(parse_url(url), declared)
    assert bool(seen_by_alembic) is case.alembic, seen_by_alembic
    assert plan.changes, f"trueup sees no change: {case.name}"
    if case.trueup is not None:
        assert case.trueup in changes_of(plan.changes), plan.changes
    push(parse_url(url), declared, accept_data_loss=True)
    assert plan_for(parse_url(url), declared).is_empty
    assert alembic_diffs(url, after) == []


@pytest.mark.parametrize("case", [c for c in CASES if "sqlite" in c.engines], ids=str)
def test_sqlite(case: Case, tmp_path: Any) -> None:
    compare(str(tmp_path / "app.db"), "sqlite", case)


@pytest.mark.parametrize("case", [c for c in CASES if "postgresql" in c.engines], ids=str)
def test_postgresql(case: Case, pg: Server) -> None:
    compare(pg.url, "postgresql", case)
