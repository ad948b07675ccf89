"""Rename hints applied to the current tables, before they are compared.

A hint applies where its old name exists and its new name is declared (and not the other way
round as well): the table or column is renamed, and the database is then compared as it will
look once the renames ran. References from other tables' foreign keys follow the rename, as
the engine's own RENAME does. Hints that swap names are refused (see :func:`refuse_swap`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from trueup.diff import changes as ch
from trueup.diff.hooks import DiffHooks
from trueup.diff.renames import Renames
from trueup.errors import SchemaError
from trueup.model import ForeignKey, Index, Table


@dataclass
class HintedRenames:
    """What the hints that fit do: the renamed tables (as the database will look once the
    renames ran), the table renames, and the column renames per (new) table key."""

    tables: list[Table]
    table_renames: list[ch.Change] = field(default_factory=list)
    column_renames: dict[str, list[ch.TableChange]] = field(default_factory=dict)


def apply_rename_hints(
    current: Sequence[Table], desired: Sequence[Table], hooks: DiffHooks, renames: Renames
) -> HintedRenames:
    have = {hooks.key(t.name): t for t in current}
    want = {hooks.key(t.name): t for t in desired}
    table_renames, table_map = _table_renames(have, want, hooks, renames)
    column_renames, column_map = _column_renames(have, want, table_map, hooks, renames)
    if not table_renames and not column_renames:
        return HintedRenames(list(current))
    names = _NewNames(hooks, table_map, column_map)
    return HintedRenames([names.table(t) for t in current], table_renames, column_renames)


def _table_renames(
    have: dict[str, Table], want: dict[str, Table], hooks: DiffHooks, renames: Renames
) -> tuple[list[ch.Change], dict[str, str]]:
    """The table renames, and the new name of each renamed table by the key of its old."""
    key = hooks.key
    moves = {
        key(old): key(new)
        for old, new in renames.tables.items()
        if key(old) in have and key(new) in want
    }
    refuse_swap(moves, {k: t.name for k, t in have.items()}, "tables")
    table_renames: list[ch.Change] = []
    table_map: dict[str, str] = {}
    for old_name, new_name in renames.tables.items():
        ok, nk = key(old_name), key(new_name)
        if ok in have and nk in want and nk not in have and ok not in want:
            table_renames.append(ch.RenameTable(have[ok], want[nk].name))
            table_map[ok] = want[nk].name
    return table_renames, table_map


def _column_renames(
    have: dict[str, Table],
    want: dict[str, Table],
    table_map: dict[str, str],
    hooks: DiffHooks,
    renames: Renames,
) -> tuple[dict[str, list[ch.TableChange]], dict[tuple[str, str], str]]:
    """The column renames per (new) table key, and the new name of each renamed column by
    (new table key, key of the old column name)."""
    key = hooks.key
    column_renames: dict[str, list[ch.TableChange]] = {}
    column_map: dict[tuple[str, str], str] = {}
    column_moves: dict[str, dict[str, str]] = {}
    for (hinted_table, old_col), new_col in renames.columns.items():
        tk = key(hinted_table)
        old_tk = next((o for o, n in table_map.items() if key(n) == tk), tk)
        table, target = have.get(old_tk), want.get(tk)
        if table is None or target is None:
            continue
        old_cols = {key(c.name): c for c in table.columns}
        new_cols = {key(c.name): c for c in target.columns}
        ok, nk = key(old_col), key(new_col)
        if ok in old_cols and nk in new_cols:
            column_moves.setdefault(old_tk, {})[ok] = nk
        if ok in old_cols and nk in new_cols and nk not in old_cols and ok not in new_cols:
            column_renames.setdefault(tk, []).append(
                ch.RenameColumn(old_cols[ok].name, new_cols[nk].name)
            )
            column_map[(tk, ok)] = new_cols[nk].name
    for old_tk, table_moves in column_moves.items():
        table = have[old_tk]
        columns = {key(c.name): c.name for c in table.columns}
        refuse_swap(table_moves, columns, "columns", f" of the table `{table.name}`")
    return column_renames, column_map


@dataclass
class _NewNames:
    """The names of tables and columns once the renames ran."""

    hooks: DiffHooks
    table_map: dict[str, str]
    column_map: dict[tuple[str, str], str]

    def table_name(self, name: str) -> str:
        return self.table_map.get(self.hooks.key(name), name)

    def column_name(self, table: str, name: str) -> str:
        key = self.hooks.key
        return self.column_map.get((key(self.table_name(table)), key(name)), name)

    def columns(self, table: str, names: Iterable[str]) -> tuple[str, ...]:
        return tuple(self.column_name(table, n) for n in names)

    def foreign_key(self, t: Table, fk: ForeignKey) -> ForeignKey:
        return dataclasses.replace(
            fk,
            columns=self.columns(t.name, fk.columns),
            ref_table=self.table_name(fk.ref_table),
            ref_columns=self.columns(fk.ref_table, fk.ref_columns),
        )

    def index(self, t: Table, i: Index) -> Index:
        parts = tuple(
            p
            if p.column is None
            else dataclasses.replace(p, column=self.column_name(t.name, p.column))
            for p in i.parts
        )
        return dataclasses.replace(i, parts=parts, include=self.columns(t.name, i.include))

    def table(self, t: Table) -> Table:
        pk = t.primary_key
        if pk is not None:
            pk = dataclasses.replace(pk, columns=self.columns(t.name, pk.columns))
        return dataclasses.replace(
            t,
            name=self.table_name(t.name),
            columns=tuple(
                dataclasses.replace(c, name=self.column_name(t.name, c.name)) for c in t.columns
            ),
            primary_key=pk,
            indexes=tuple(self.index(t, i) for i in t.indexes),
            foreign_keys=tuple(self.foreign_key(t, fk) for fk in t.foreign_keys),
        )


def refuse_swap(moves: dict[str, str], names: dict[str, str], what: str, where: str = "") -> None:
    """Stop at rename hints that swap names (``a`` to ``b`` and ``b`` to ``a``, or round a
    longer circle). ``moves`` are the hints whose old name exists and whose new name is
    declared, by name key; ``names`` spell the existing names. Such hints cannot be told
    done from not done: the same names exist before and after, so every push would swap
    again (and one rename at a time would find its new name taken)."""
    for start in sorted(moves):
        circle = [start]
        step = moves[start]
        while step in moves and step not in circle:
            circle.append(step)
            step = moves[step]
        if step != start or len(circle) < 2:
            continue
        shown = [f"`{names[k]}`" for k in circle]
        pairs = [f"{a} to {b}" for a, b in zip(shown, shown[1:] + shown[:1], strict=True)]
        steps = [f"{shown[i]} to {shown[i + 1]}" for i in reversed(range(len(shown) - 1))]
        raise SchemaError(
            f"The rename hints swap names between the {what} {ch.and_list(shown)}{where} "
            f"({ch.and_list(pairs)}). The same names exist before and after a swap, so "
            "trueup cannot tell whether it was already done, and would do it again on "
            "every push.",
            hint="Nothing was changed. Swap through a name that is not in use, one push at a "
            f"time, each with its own hint: rename {shown[-1]} to a new name, then "
            f"{ch.and_list(steps)}, then the new name to {shown[0]}.",
        )
