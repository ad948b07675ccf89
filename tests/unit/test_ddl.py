from __future__ import annotations

from trueup.engines.sqlite.ddl import parse_create_index, parse_create_table


def test_columns_constraints_and_options() -> None:
    t = parse_create_table(
        """CREATE TABLE IF NOT EXISTS main."T" (
            id INTEGER CONSTRAINT pk PRIMARY KEY DESC ON CONFLICT REPLACE AUTOINCREMENT,
            name VARCHAR (10) NOT NULL COLLATE nocase CHECK (length(name) > 0) UNIQUE,
            total AS (price * qty) STORED,
            half GENERATED ALWAYS AS (total / 2),
            owner INT CONSTRAINT fk_owner REFERENCES users(id) ON DELETE SET NULL
                ON UPDATE NO ACTION DEFERRABLE INITIALLY DEFERRED,
            price REAL DEFAULT -1.5, qty INT DEFAULT (1 + 1),
            CONSTRAINT positive CHECK (price > 0),
            UNIQUE (name, owner) ON CONFLICT IGNORE,
            FOREIGN KEY (qty) REFERENCES other
        ) WITHOUT ROWID, STRICT"""
    )
    assert t.name == "T"
    assert [c.name for c in t.columns] == ["id", "name", "total", "half", "owner", "price", "qty"]
    id_, name, total, half, owner = t.columns[:5]
    assert id_.autoincrement and id_.primary_key_name == "pk"
    assert name.collation == "nocase" and name.is_unique
    assert name.checks == [(None, "length(name) > 0")]
    assert total.generated == ("price * qty", True)
    assert half.generated == ("total / 2", False)
    assert owner.foreign_key is not None
    assert owner.foreign_key.name == "fk_owner"
    assert owner.foreign_key.on_delete == "SET NULL"
    assert owner.foreign_key.deferral == "DEFERRABLE INITIALLY DEFERRED"
    assert t.checks == [("positive", "price > 0")]
    assert t.uniques == [(None, ["name", "owner"], "IGNORE")]
    assert t.foreign_keys[0].ref_table == "other" and t.foreign_keys[0].ref_columns == []
    assert t.options == {"WITHOUT ROWID", "STRICT"}


def test_quoted_and_odd_names() -> None:
    t = parse_create_table('CREATE TABLE "order" ("select" TEXT, [a b] INT, `c"d` BLOB)')
    assert t.name == "order"
    assert [c.name for c in t.columns] == ["select", "a b", 'c"d']


def test_index_parts_collation_order_and_where() -> None:
    i = parse_create_index(
        'CREATE UNIQUE INDEX IF NOT EXISTS "i" ON t (a COLLATE NOCASE DESC, lower(b), c ASC) '
        "WHERE a IS NOT NULL AND c > 0"
    )
    assert i.unique and i.name == "i" and i.table == "t"
    assert [(p.text, p.is_column, p.collation, p.descending) for p in i.parts] == [
        ("a", True, "NOCASE", True),
        ("lower(b)", False, None, False),
        ("c", True, None, False),
    ]
    assert i.where == "a IS NOT NULL AND c > 0"


def test_not_null_conflict_clause() -> None:
    t = parse_create_table(
        "CREATE TABLE t (a TEXT NOT NULL ON CONFLICT REPLACE DEFAULT 'x', "
        "b TEXT NOT NULL ON CONFLICT abort, c INT NOT NULL, d INT NULL ON CONFLICT FAIL)"
    )
    assert [c.not_null_conflict for c in t.columns] == ["REPLACE", None, None, None]
