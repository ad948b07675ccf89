"""The differ on hand-built models: typed changes in, typed changes out, no database."""

from __future__ import annotations

import pytest

from trueup.diff import changes as ch
from trueup.diff.differ import DiffHooks, diff
from trueup.diff.renames import Renames
from trueup.engines.sqlite.hooks import SQLiteHooks
from trueup.errors import SchemaError
from trueup.model import (
    Action,
    Check,
    Column,
    Enum,
    Expr,
    ForeignKey,
    Index,
    IndexPart,
    PrimaryKey,
    Schema,
    Table,
    View,
)

SQLITE = SQLiteHooks()
EXACT = DiffHooks()


def e(text: str) -> Expr:
    return Expr(text, text.lower())


def users(**changes: object) -> Table:
    base = dict(
        name="users",
        columns=(Column("id", "INTEGER", nullable=False), Column("email", "TEXT")),
        primary_key=PrimaryKey(("id",)),
        indexes=(Index("users_email", (IndexPart("email"),), unique=True),),
    )
    base.update(changes)
    return Table(**base)  # type: ignore[arg-type]


def test_identical_schemas_have_no_changes() -> None:
    s = Schema(tables=(users(),), views=(View("v", e("CREATE VIEW v AS SELECT 1")),))
    assert diff(s, s, SQLITE) == []
    assert diff(s, s, EXACT) == []


def test_add_and_drop_tables() -> None:
    posts = Table("posts", (Column("id", "INTEGER"),))
    changes = diff(Schema(tables=(users(),)), Schema(tables=(posts,)), SQLITE)
    assert changes == [ch.DropTable(users()), ch.AddTable(posts)]


def test_column_changes_carry_old_new_and_kind() -> None:
    old = users()
    new = users(
        columns=(
            Column("id", "INTEGER", nullable=False),
            Column("email", "VARCHAR(255)", nullable=False, default=e("''")),
            Column("name", "TEXT"),
        )
    )
    [change] = diff(Schema(tables=(old,)), Schema(tables=(new,)), SQLITE)
    assert isinstance(change, ch.ModifyTable)
    assert change.changes == (
        ch.ModifyColumn(
            old.columns[1],
            new.columns[1],
            ch.ColumnChange.TYPE | ch.ColumnChange.NULLABLE | ch.ColumnChange.DEFAULT,
        ),
        ch.AddColumn(Column("name", "TEXT")),
    )


def test_sqlite_names_fold_case_but_exact_engines_do_not() -> None:
    a = Schema(tables=(users(),))
    b = Schema(
        tables=(
            users(
                name="Users",
                columns=(Column("ID", "INTEGER", nullable=False), Column("Email", "TEXT")),
            ),
        )
    )
    # SQLite matches the names without regard to case, and brings them to the declared
    # spelling (which is what other tools, Prisma among them, compare).
    renamed, modified = diff(a, b, SQLITE)
    assert renamed == ch.RenameTable(users(), "Users")
    assert isinstance(modified, ch.ModifyTable)
    assert modified.changes == (ch.RenameColumn("id", "ID"), ch.RenameColumn("email", "Email"))
    assert diff(b, b, SQLITE) == []
    assert [type(c) for c in diff(a, b, EXACT)] == [ch.DropTable, ch.AddTable]


def test_index_renamed_is_drop_and_add_on_sqlite_but_rename_elsewhere() -> None:
    old = users()
    new = users(indexes=(Index("users_email_key", (IndexPart("email"),), unique=True),))
    [change] = diff(Schema(tables=(old,)), Schema(tables=(new,)), SQLITE)
    assert isinstance(change, ch.ModifyTable)
    assert change.changes == (ch.DropIndex(old.indexes[0]), ch.AddIndex(new.indexes[0]))
    [change] = diff(Schema(tables=(old,)), Schema(tables=(new,)), EXACT)
    assert isinstance(change, ch.ModifyTable)
    assert change.changes == (ch.RenameIndex(old.indexes[0], new.indexes[0]),)


def test_index_redefined_under_same_name() -> None:
    old = users()
    new = users(indexes=(Index("users_email", (IndexPart("email", descending=True),)),))
    [change] = diff(Schema(tables=(old,)), Schema(tables=(new,)), SQLITE)
    assert isinstance(change, ch.ModifyTable)
    assert change.changes == (ch.DropIndex(old.indexes[0]), ch.AddIndex(new.indexes[0]))


def test_foreign_keys_and_checks_pair_by_definition() -> None:
    fk = ForeignKey(("owner",), "users", ("id",), name="a")
    old = Table("p", (Column("owner"),), foreign_keys=(fk,), checks=(Check(e("x > 0"), "c1"),))
    renamed = Table(
        "p",
        (Column("owner"),),
        foreign_keys=(ForeignKey(("owner",), "Users", ("ID",), name="b"),),
        checks=(Check(e("X > 0"), "c2"),),
    )
    # SQLite: constraint names do not count, names fold case.
    assert diff(Schema(tables=(old,)), Schema(tables=(renamed,)), SQLITE) == []
    cascade = Table(
        "p",
        (Column("owner"),),
        foreign_keys=(ForeignKey(("owner",), "users", ("id",), on_delete=Action.CASCADE),),
        checks=old.checks,
    )
    [change] = diff(Schema(tables=(old,)), Schema(tables=(cascade,)), SQLITE)
    assert isinstance(change, ch.ModifyTable)
    # One foreign key whose actions change: one change, as on every engine.
    assert change.changes == (ch.ModifyForeignKey(fk, cascade.foreign_keys[0]),)


def test_a_constraint_that_stays_itself_is_one_change_where_names_count() -> None:
    fk = ForeignKey(("owner",), "users", ("id",), name="p_owner_fkey")
    check = Check(e("x > 0"), "p_x_check")
    key = Index("p_x_key", (IndexPart("x"),), unique=True, constraint=True)
    columns = (Column("owner"), Column("x"))
    old = Table("p", columns, indexes=(key,), foreign_keys=(fk,), checks=(check,))

    def changed(**parts: object) -> tuple[ch.TableChange, ...]:
        new = Table(
            "p",
            old.columns,
            indexes=parts.get("indexes", old.indexes),  # type: ignore[arg-type]
            foreign_keys=parts.get("foreign_keys", old.foreign_keys),  # type: ignore[arg-type]
            checks=parts.get("checks", old.checks),  # type: ignore[arg-type]
        )
        [change] = diff(Schema(tables=(old,)), Schema(tables=(new,)), EXACT)
        assert isinstance(change, ch.ModifyTable)
        return change.changes

    renamed_fk = ForeignKey(("owner",), "users", ("id",), name="owner")
    assert changed(foreign_keys=(renamed_fk,)) == (ch.RenameConstraint(fk, renamed_fk),)
    cascade = ForeignKey(("owner",), "users", ("id",), name="owner", on_delete=Action.CASCADE)
    assert changed(foreign_keys=(cascade,)) == (ch.ModifyForeignKey(fk, cascade),)
    elsewhere = ForeignKey(("owner",), "groups", ("id",), name="p_owner_fkey")
    assert changed(foreign_keys=(elsewhere,)) == (
        ch.DropForeignKey(fk),
        ch.AddForeignKey(elsewhere),
    )
    renamed_check = Check(e("x > 0"), "positive")
    assert changed(checks=(renamed_check,)) == (ch.RenameConstraint(check, renamed_check),)
    stricter = Check(e("x > 1"), "p_x_check")
    assert changed(checks=(stricter,)) == (ch.ModifyCheck(check, stricter),)
    other = Check(e("x > 1"), "other")
    assert changed(checks=(other,)) == (ch.DropCheck(check), ch.AddCheck(other))
    renamed_key = Index("x_unique", key.parts, unique=True, constraint=True)
    assert changed(indexes=(renamed_key,)) == (ch.RenameConstraint(key, renamed_key),)
    # SQLite: names do not count; a foreign key whose actions change is still one change.
    [change] = diff(
        Schema(tables=(old,)),
        Schema(tables=(Table("p", old.columns, indexes=(key,), foreign_keys=(cascade,)),)),
        SQLITE,
    )
    assert isinstance(change, ch.ModifyTable)
    assert change.changes == (ch.ModifyForeignKey(fk, cascade), ch.DropCheck(check))


def test_primary_key_and_options() -> None:
    old = users()
    new = users(primary_key=PrimaryKey(("id", "email")), options=("STRICT",))
    [change] = diff(Schema(tables=(old,)), Schema(tables=(new,)), SQLITE)
    assert isinstance(change, ch.ModifyTable)
    assert change.changes == (
        ch.ModifyPrimaryKey(PrimaryKey(("id",)), PrimaryKey(("id", "email"))),
        ch.ModifyTableOptions((), ("STRICT",)),
    )


def test_views_and_enums() -> None:
    v1, v2 = View("v", e("CREATE VIEW v AS SELECT 1")), View("v", e("CREATE VIEW v AS SELECT 2"))
    assert diff(Schema(views=(v1,)), Schema(views=(v2,)), SQLITE) == [ch.ModifyView(v1, v2)]
    e1, e2 = Enum("role", ("USER",)), Enum("role", ("USER", "ADMIN"))
    assert diff(Schema(enums=(e1,)), Schema(enums=(e2,)), EXACT) == [ch.ModifyEnum(e1, e2)]


def test_rename_hints_keep_the_table_and_follow_references() -> None:
    people = Table(
        "people", (Column("id", "INTEGER"), Column("mail", "TEXT")), primary_key=PrimaryKey(("id",))
    )
    posts = Table(
        "posts", (Column("author"),), foreign_keys=(ForeignKey(("author",), "people", ("id",)),)
    )
    current = Schema(tables=(people, posts))
    users_t = Table(
        "users", (Column("id", "INTEGER"), Column("email", "TEXT")), primary_key=PrimaryKey(("id",))
    )
    desired_posts = Table(
        "posts", (Column("author"),), foreign_keys=(ForeignKey(("author",), "users", ("id",)),)
    )
    desired = Schema(tables=(users_t, desired_posts))
    hints = Renames(tables={"people": "users"}, columns={("users", "mail"): "email"})
    changes = diff(current, desired, SQLITE, renames=hints)
    assert changes[0] == ch.RenameTable(people, "users")
    assert isinstance(changes[1], ch.ModifyTable)
    assert changes[1].changes == (ch.RenameColumn("mail", "email"),)
    assert len(changes) == 2  # posts' foreign key follows the rename: no change there
    # Once applied, the hint no longer fits and is ignored.
    assert diff(desired, desired, SQLITE, renames=hints) == []


def test_rename_hints_that_swap_names_are_refused() -> None:
    # The same names exist before and after a swap: it cannot be told done from not done,
    # so it would be done again on every push. A chain of renames is no swap.
    a = Table("a", (Column("x", "TEXT"), Column("y", "TEXT")))
    b = Table("b", (Column("z", "TEXT"),))
    c = Table("c", (Column("w", "TEXT"),))
    schema = Schema(tables=(a, b, c))
    for tables, shown in [
        ({"a": "b", "b": "a"}, "the tables `a` and `b` (`a` to `b` and `b` to `a`)"),
        (
            {"B": "c", "c": "a", "a": "B"},
            "`a`, `b` and `c` (`a` to `b`, `b` to `c` and `c` to `a`)",
        ),
    ]:
        with pytest.raises(SchemaError, match="swap names") as err:
            diff(schema, schema, SQLITE, renames=Renames(tables=tables))
        assert shown in err.value.message
    hint = Renames(columns={("a", "x"): "y", ("a", "y"): "x"})
    with pytest.raises(SchemaError) as err:
        diff(schema, schema, SQLITE, renames=hint)
    assert "the columns `x` and `y` of the table `a` (`x` to `y` and `y` to `x`)" in str(err.value)
    assert "rename `y` to a new name, then `x` to `y`, then the new name to `x`" in str(err.value)
    # A swap that does not fit the schemas (a name missing on one side) is no swap.
    assert diff(schema, Schema(tables=(a, c)), SQLITE, renames=Renames({"a": "b", "b": "a"}))
    # Nor is a chain (a to b, b to d); its hints are not applied, as before.
    chain = Renames(tables={"a": "b", "b": "d"})
    desired = Schema(tables=(Table("b", a.columns), Table("d", b.columns), c))
    assert not any(
        isinstance(x, ch.RenameTable) for x in diff(schema, desired, SQLITE, renames=chain)
    )


def test_column_changes_are_described_in_words() -> None:
    kind = ch.ColumnChange
    assert kind.TYPE.describe() == "type"
    assert (kind.NULLABLE | kind.DEFAULT).describe() == "nullability and default"
    assert (kind.TYPE | kind.NULLABLE | kind.DEFAULT).describe() == (
        "type, nullability and default"
    )
    assert kind.NOT_NULL_CONFLICT.describe() == "NOT NULL conflict clause"
