"""Lowering goldens: the worked example of the reference as SQLite DDL (compared as the
database it makes) and as the PostgreSQL model, and Prisma's naming rules."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import schema_from_sql
from trueup.model import Action, Column, Enum, Expr, ForeignKey, Index, IndexPart, PrimaryKey
from trueup.sources import load_schema
from trueup.sources.prisma import load_prisma, names

CORPUS = Path(__file__).parent / "corpus" / "sqlite"
WORKED = (CORPUS / "worked_example.prisma").read_text()

# Section 8 of the reference: what prisma db push runs on an empty SQLite database.
WORKED_SQLITE_DDL = """
CREATE TABLE "User" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "email" TEXT NOT NULL,
    "role" TEXT NOT NULL DEFAULT 'USER',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
CREATE TABLE "Post" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "title" TEXT NOT NULL,
    "authorId" INTEGER,
    CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
CREATE TABLE "Tag" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT
);
CREATE TABLE "_PostToTag" (
    "A" INTEGER NOT NULL,
    "B" INTEGER NOT NULL,
    CONSTRAINT "_PostToTag_A_fkey" FOREIGN KEY ("A") REFERENCES "Post" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "_PostToTag_B_fkey" FOREIGN KEY ("B") REFERENCES "Tag" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
CREATE UNIQUE INDEX "_PostToTag_AB_unique" ON "_PostToTag"("A", "B");
CREATE INDEX "_PostToTag_B_index" ON "_PostToTag"("B");
"""  # noqa: E501


def write(tmp_path: Path, text: str, name: str = "schema.prisma") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_worked_example_on_sqlite_is_prismas_ddl(tmp_path: Path) -> None:
    declared = load_schema(write(tmp_path, WORKED), "sqlite")
    assert declared.schema == schema_from_sql(WORKED_SQLITE_DDL, tmp_path)
    assert declared.schema.enums == ()


def test_worked_example_on_postgres_is_prismas_model(tmp_path: Path) -> None:
    text = WORKED.replace('"sqlite"', '"postgresql"').replace(
        '"file:./dev.db"', '"postgresql://localhost/app"'
    )
    schema = load_prisma(write(tmp_path, text), "postgresql").schema
    assert schema.enums == (Enum("Role", ("USER", "ADMIN")),)
    user = schema.table("User")
    assert user is not None
    assert user.columns == (
        Column("id", "INTEGER", nullable=False, autoincrement=True),
        Column("email", "TEXT", nullable=False),
        Column("role", '"Role"', nullable=False, default=Expr("'USER'", "'USER'")),
        Column(
            "createdAt",
            "TIMESTAMP(3)",
            nullable=False,
            default=Expr("CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP"),
        ),
        Column("updatedAt", "TIMESTAMP(3)", nullable=False),
    )
    assert user.primary_key == PrimaryKey(("id",), "User_pkey")
    assert user.indexes == (Index("User_email_key", (IndexPart("email"),), unique=True),)
    post = schema.table("Post")
    assert post is not None
    assert post.foreign_keys == (
        ForeignKey(
            ("authorId",),
            "User",
            ("id",),
            "Post_authorId_fkey",
            on_delete=Action.SET_NULL,
            on_update=Action.CASCADE,
        ),
    )
    join = schema.table("_PostToTag")
    assert join is not None
    assert join.columns == (
        Column("A", "INTEGER", nullable=False),
        Column("B", "INTEGER", nullable=False),
    )
    assert join.primary_key == PrimaryKey(("A", "B"), "_PostToTag_AB_pkey")
    assert join.indexes == (Index("_PostToTag_B_index", (IndexPart("B"),)),)
    assert [(fk.name, fk.on_delete, fk.on_update) for fk in join.foreign_keys] == [
        ("_PostToTag_A_fkey", Action.CASCADE, Action.CASCADE),
        ("_PostToTag_B_fkey", Action.CASCADE, Action.CASCADE),
    ]


def test_postgres_types_native_types_lists_and_defaults(tmp_path: Path) -> None:
    text = """
datasource db {
  provider = "postgres"
  schemas  = ["app", "audit"]
}
enum Mood {
  HAPPY @map("happy")
  SAD
  @@schema("audit")
}
model Thing {
  id      BigInt    @id @default(autoincrement())
  small   Int       @db.SmallInt @default(autoincrement())
  name    String    @db.VarChar(80)
  code    String    @db.Char(2)
  price   Decimal   @db.Decimal(10, 2)
  amount  Decimal
  ratio   Float
  at      DateTime  @db.Timestamptz(6)
  day     DateTime  @db.Date
  uid     String    @db.Uuid @default(uuid())
  data    Json      @default("{}")
  raw     Bytes     @default("AAE=")
  tags    String[]  @default(["a", "b"])
  moods   Mood[]
  mood    Mood      @default(HAPPY)
  when    DateTime  @default("2024-01-31T12:00:00.5Z")
  expr    Int       @default(dbgenerated("floor(random() * 10)"))
  @@index([data(ops: JsonbPathOps)], type: Gin)
  @@unique([name, code(sort: Desc)])
  @@schema("app")
}
"""
    schema = load_prisma(write(tmp_path, text), "postgresql").schema
    assert schema.namespaces == ("app", "audit")
    assert schema.enums == (Enum("Mood", ("happy", "SAD"), "audit"),)
    thing = schema.table("Thing", "app")
    assert thing is not None
    types = {c.name: c.type for c in thing.columns}
    assert types == {
        "id": "BIGINT",
        "small": "SMALLINT",
        "name": "VARCHAR(80)",
        "code": "CHAR(2)",
        "price": "DECIMAL(10,2)",
        "amount": "DECIMAL(65,30)",
        "ratio": "DOUBLE PRECISION",
        "at": "TIMESTAMPTZ(6)",
        "day": "DATE",
        "uid": "UUID",
        "data": "JSONB",
        "raw": "BYTEA",
        "tags": "TEXT[]",
        "moods": '"audit"."Mood"[]',
        "mood": '"audit"."Mood"',
        "when": "TIMESTAMP(3)",
        "expr": "INTEGER",
    }
    defaults = {c.name: c.default.text for c in thing.columns if c.default}
    assert defaults == {
        "data": "'{}'",
        "raw": "'\\x0001'",
        "tags": "ARRAY['a', 'b']::TEXT[]",
        "mood": "'happy'",
        "when": "'2024-01-31 12:00:00.500 +00:00'",
        "expr": "floor(random() * 10)",
    }
    assert [c.name for c in thing.columns if c.autoincrement] == ["id", "small"]
    assert [c.name for c in thing.columns if c.nullable] == ["tags", "moods"]
    assert thing.primary_key == PrimaryKey(("id",), "Thing_pkey")
    assert thing.indexes == (
        Index("Thing_data_idx", (IndexPart("data", opclass="jsonb_path_ops"),), method="gin"),
        Index(
            "Thing_name_code_key",
            (IndexPart("name"), IndexPart("code", descending=True)),
            unique=True,
        ),
    )


def test_relation_mode_prisma_makes_no_foreign_keys(tmp_path: Path) -> None:
    schema = load_schema(str(CORPUS / "relation_mode_prisma.prisma"), "sqlite").schema
    assert all(t.foreign_keys == () for t in schema.tables)
    assert schema.table("_AuthorToClub") is not None


def test_default_names_are_cut_like_prismas() -> None:
    table = "t" * 70
    assert names.primary_key_name(table, "postgresql") == "t" * 58 + "_pkey"
    assert names.unique_name("abc", ("x",), "postgresql") == "abc_x_key"
    assert len(names.unique_name(table, ("col",), "postgresql")) == 63
    assert names.index_name(table, ("c",), "postgresql").endswith("_idx")
    # exactly at the limit Prisma already cuts (>=)
    assert names.foreign_key_name("f" * 58, (), "postgresql") == "f" * 58 + "_fkey"
    assert names.foreign_key_name("f" * 59, (), "postgresql") == "f" * 58 + "_fkey"
    # a multi-byte character is never split
    assert names.primary_key_name("é" * 40, "postgresql") == "é" * 29 + "_pkey"
    join = names.join_table_names("_" + "x" * 62, "postgresql")
    assert join["pkey"] == ("_" + "x" * 62)[:55] + "_AB_pkey"
    assert join["b_index"] == ("_" + "x" * 62)[:55] + "_B_index"
    assert len(join["a_fkey"]) == 63 and len(join["b_fkey"]) == 63
    edge = "_" + "x" * 55  # 56 characters: cut for B (>=) but not for A (>)
    cut = names.join_table_names(edge, "postgresql")
    assert cut["a_fkey"] == edge + "_A_fkey"
    assert cut["b_fkey"] == edge + "_B_fkey"
    assert names.join_table_name("R" * 70, "postgresql") == "_" + "R" * 62


def test_foreign_keys_come_in_the_order_of_their_relation_fields(tmp_path: Path) -> None:
    # Product is declared before Order, but OrderItem names order first: Prisma's CREATE
    # TABLE lists the foreign keys in field order, and on SQLite the order is kept.
    text = """datasource db {
  provider = "sqlite"
  url      = "file:./dev.db"
}
model Product {
  id    Int         @id
  items OrderItem[]
}
model Order {
  id    Int         @id
  items OrderItem[]
}
model OrderItem {
  orderId   Int
  productId Int
  order     Order   @relation(fields: [orderId], references: [id])
  product   Product @relation(fields: [productId], references: [id])

  @@id([orderId, productId])
}
"""
    declared = load_schema(write(tmp_path, text), "sqlite")
    (item,) = [t for t in declared.schema.tables if t.name == "OrderItem"]
    assert [fk.ref_table for fk in item.foreign_keys] == ["Order", "Product"]
    ddl = """
CREATE TABLE "Product" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT);
CREATE TABLE "Order" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT);
CREATE TABLE "OrderItem" (
    "orderId" INTEGER NOT NULL,
    "productId" INTEGER NOT NULL,
    PRIMARY KEY ("orderId", "productId"),
    CONSTRAINT "OrderItem_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "Order" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "OrderItem_productId_fkey" FOREIGN KEY ("productId") REFERENCES "Product" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
"""  # noqa: E501
    assert declared.schema == schema_from_sql(ddl, tmp_path)


def test_an_enum_in_a_named_schema_is_named_with_it(tmp_path: Path) -> None:
    # PostgreSQL finds a type on the search_path, not in the schema of the table using it,
    # so the column's type names the enum's schema even when the table is in it too.
    text = """datasource db {
  provider = "postgresql"
  schemas  = ["public", "auth"]
}
enum Role {
  ADMIN
  @@schema("auth")
}
model User {
  id   Int  @id
  role Role
  @@schema("auth")
}
"""
    schema = load_prisma(write(tmp_path, text), "postgresql").schema
    user = schema.table("User", "auth")
    assert user is not None
    assert user.columns[1] == Column("role", '"auth"."Role"', nullable=False)


def test_operator_classes_by_prisma_name(tmp_path: Path) -> None:
    text = """datasource db {
  provider = "postgresql"
}
model A {
  id Int      @id
  n  Int
  t  DateTime @db.Timestamptz(6)
  b  String   @db.VarBit
  @@index([n(ops: Int4MinMaxOps)], type: Brin)
  @@index([t(ops: TimestampTzMinMaxMultiOps)], type: Brin)
  @@index([b(ops: VarBitMinMaxOps)], type: Brin)
}
"""
    table = load_prisma(write(tmp_path, text), "postgresql").schema.table("A")
    assert table is not None
    assert [p.opclass for i in table.indexes for p in i.parts] == [
        "int4_minmax_ops",
        "timestamptz_minmax_multi_ops",
        "varbit_minmax_ops",
    ]
