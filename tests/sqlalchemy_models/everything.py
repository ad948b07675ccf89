"""Models that together use everything a create_all() can make, for the conformance tests:
``models(engine)`` builds them anew (PostgreSQL gets its own types, schemas, identity
columns and sequences besides the common ones)."""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Computed,
    Date,
    DateTime,
    Double,
    Enum,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    Interval,
    LargeBinary,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    Sequence,
    SmallInteger,
    String,
    Table,
    Text,
    Time,
    Unicode,
    UnicodeText,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Mood(enum.Enum):
    happy = "happy"
    sad = "sad"
    meh = "meh"


def models(engine: str) -> MetaData:
    """The models, made for ``engine`` (``sqlite`` or ``postgresql``)."""

    class Base(DeclarativeBase):
        metadata = MetaData(naming_convention=NAMING)

    class Account(Base):
        __tablename__ = "account"
        __table_args__ = (
            CheckConstraint("balance >= 0", name="balance_positive"),
            UniqueConstraint("email", "region"),
            Index("ix_account_email_lower", func.lower(text("email")), unique=True),
            {"comment": "who pays", "info": {"owner": "billing"}},
        )
        id: Mapped[int] = mapped_column(primary_key=True)
        email: Mapped[str] = mapped_column(String(200), comment="where the bills go")
        region: Mapped[str] = mapped_column(String(8), server_default="eu")
        balance: Mapped[float] = mapped_column(Numeric(12, 2), server_default=text("0"))
        active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
        mood: Mapped[Mood] = mapped_column(Enum(Mood, name="mood"), server_default="happy")
        mood_text: Mapped[Mood | None] = mapped_column(
            Enum(Mood, native_enum=False, create_constraint=True, length=10, name="mood_text")
        )
        created: Mapped[Any] = mapped_column(DateTime(timezone=True), server_default=func.now())
        updated: Mapped[Any | None] = mapped_column(DateTime, onupdate=func.now())
        note: Mapped[str | None] = mapped_column(Text, default="python-side only")
        parent_id: Mapped[int | None] = mapped_column(
            ForeignKey("account.id", ondelete="SET NULL", onupdate="CASCADE")
        )

    metadata = Base.metadata
    Table(
        "kinds",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=False),
        Column("small", SmallInteger),
        Column("big", BigInteger, nullable=False, server_default=text("1")),
        Column("name", String(50), nullable=False),
        Column("unbounded", String),
        Column("uni", Unicode(20)),
        Column("unitext", UnicodeText),
        Column("flt", Float),
        Column("dbl", Double),
        Column("num", Numeric(10, 3)),
        Column("num_any", Numeric),
        Column("day", Date),
        Column("at", Time),
        Column("stamp", DateTime),
        Column("stamp_tz", DateTime(timezone=True)),
        Column("span", Interval),
        Column("blob", LargeBinary),
        Column("doc", JSON),
        Column("uid", Uuid),
        Column("uid_text", Uuid(as_uuid=False)),
        Column("flag", Boolean, nullable=False, server_default=text("false")),
        Column("price", Numeric(10, 2)),
        Column("total", Numeric(12, 2), Computed("price * 2", persisted=True)),
        Column("label", String(60), Computed("upper(name)", persisted=engine == "postgresql")),
        CheckConstraint("small > 0 OR small IS NULL", name="small_positive"),
        comment="one column of each type",
    )
    # A composite key, a composite foreign key to it, and two tables that reference each
    # other (one of the keys made after both tables, use_alter).
    Table(
        "shelf",
        metadata,
        Column("room", String(10)),
        Column("number", Integer),
        Column("label", String(40), unique=True),
        Column("favourite_book", Integer, ForeignKey("book.id", use_alter=True)),
        PrimaryKeyConstraint("room", "number"),
    )
    book = Table(
        "book",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("title", String(200), nullable=False),
        Column("room", String(10)),
        Column("shelf_number", Integer),
        Column("account_id", Integer, ForeignKey("account.id", ondelete="CASCADE")),
        Column("sequel_of", Integer, ForeignKey("book.id")),
        Column("pages", Integer, CheckConstraint("pages > 0", name="pages_positive")),
        ForeignKeyConstraint(
            ["room", "shelf_number"],
            ["shelf.room", "shelf.number"],
            ondelete="SET NULL",
            onupdate="CASCADE",
        ),
    )
    Index("ix_book_title_desc", book.c.title.desc(), book.c.id)
    Index(
        "ix_book_open",
        book.c.account_id,
        sqlite_where=book.c.pages > 10,
        postgresql_where=book.c.pages > 10,
    )
    if engine == "sqlite":
        _sqlite_only(metadata)
    else:
        _postgres_only(metadata)
    return metadata


def _sqlite_only(metadata: MetaData) -> None:
    Table(
        "counter",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("n", Integer, nullable=False, server_default=text("0")),
        sqlite_autoincrement=True,
    )
    Table(
        "pair",
        metadata,
        Column("a", Integer, primary_key=True),
        Column("b", String(10), primary_key=True),
        Column("c", Text),
        sqlite_with_rowid=False,
    )
    Table(
        "strict_note",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("body", Text, nullable=False),
        Column("size", Integer),
        sqlite_strict=True,
    )


def _postgres_only(metadata: MetaData) -> None:
    number = Sequence("ticket_number", start=1000, increment=5, metadata=metadata)
    Table(
        "ticket",
        metadata,
        Column("id", BigInteger, Identity(start=10, increment=2), primary_key=True),
        Column("always", Integer, Identity(always=True)),
        Column("number", Integer, number, server_default=number.next_value()),
        Column("tags", pg.ARRAY(String(20))),
        Column("matrix", pg.ARRAY(Integer, dimensions=2)),
        Column("data", pg.JSONB, nullable=False, server_default=text("'{}'::jsonb")),
        Column("addr", pg.INET),
        Column("net", pg.CIDR),
        Column("mac", pg.MACADDR),
        Column("words", pg.TSVECTOR),
        Column("during", pg.TSTZRANGE),
        Column("cash", pg.MONEY),
        Column("bits", pg.BIT(8)),
        Column("precise", pg.TIMESTAMP(precision=3, timezone=True)),
        Column("kind", pg.ENUM("a", "b", name="ticket_kind", schema="inventory")),
        Column("name", String(40)),
        schema="inventory",
        comment="PostgreSQL's own",
    )
    ticket = metadata.tables["inventory.ticket"]
    Index("ix_ticket_data", ticket.c.data, postgresql_using="gin")
    Index("ix_ticket_name", ticket.c.name, postgresql_include=["id"])
    Index("ix_ticket_words", ticket.c.words, postgresql_using="gin")
    Index(
        "ix_ticket_name_ops",
        ticket.c.name,
        postgresql_ops={"name": "varchar_pattern_ops"},
        postgresql_where=ticket.c.name.isnot(None),
    )
    Table(
        "stock",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("ticket_id", BigInteger, ForeignKey("inventory.ticket.id")),
        Column("sku", String(20)),
        UniqueConstraint("sku", postgresql_nulls_not_distinct=True),
        schema="inventory",
    )
