"""The change list's lines, as push, diff and --dry-run print them."""

from __future__ import annotations

from dataclasses import replace

from trueup.cli.output import describe
from trueup.diff import changes as ch
from trueup.model import Action, Check, Column, Deferral, Expr, ForeignKey, Table


def test_a_new_table_counts_its_columns_in_words() -> None:
    one = Table("tag", (Column("id", "INTEGER"),))
    two = Table("item", (Column("id", "INTEGER"), Column("name", "TEXT")))
    assert describe(ch.AddTable(one)) == ['+ table "tag" (1 column)']
    assert describe(ch.AddTable(two)) == ['+ table "item" (2 columns)']


def test_a_constraint_that_stays_itself_is_one_line() -> None:
    fk = ForeignKey(("owner",), "users", ("id",), name="p_owner_fkey")
    cascade = replace(fk, on_delete=Action.CASCADE, deferral=Deferral.DEFERRED)
    check = Check(Expr("x > 0", "x > 0"), "p_x_check")
    stricter = Check(Expr("x > 1", "x > 1"), "p_x_check")
    table = Table("p", (Column("owner", "INTEGER"), Column("x", "INTEGER")))
    parts: tuple[ch.TableChange, ...] = (
        ch.ModifyForeignKey(fk, cascade),
        ch.ModifyCheck(check, stricter),
        ch.RenameConstraint(check, replace(check, name="positive")),
    )
    assert describe(ch.ModifyTable(table, table, parts)) == [
        '~ table "p"',
        "    ~ foreign key (owner) → users(id): ON DELETE NO ACTION ON UPDATE NO ACTION → "
        "ON DELETE CASCADE ON UPDATE NO ACTION DEFERRABLE INITIALLY DEFERRED",
        '    ~ check "p_x_check" (x > 0) → (x > 1)',
        '    > constraint "p_x_check" renamed to "positive"',
    ]
