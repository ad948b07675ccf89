"""The change list's lines, as push, diff and --dry-run print them."""

from __future__ import annotations

from trueup.cli.output import describe
from trueup.diff import changes as ch
from trueup.model import Column, Table


def test_a_new_table_counts_its_columns_in_words() -> None:
    one = Table("tag", (Column("id", "INTEGER"),))
    two = Table("item", (Column("id", "INTEGER"), Column("name", "TEXT")))
    assert describe(ch.AddTable(one)) == ['+ table "tag" (1 column)']
    assert describe(ch.AddTable(two)) == ['+ table "item" (2 columns)']
