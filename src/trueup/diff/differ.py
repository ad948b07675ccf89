"""The differ: one algorithm for every engine.

``diff(current, desired, hooks)`` walks tables, columns, keys, indexes, foreign keys, checks,
views, triggers and enums, and returns typed changes. Engines differ only in the answers of
their :class:`DiffHooks` (how names compare, whether constraint names matter), never in
``if engine == ...`` branches here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from trueup.diff import changes as ch
from trueup.diff.renames import NO_RENAMES, Renames
from trueup.errors import SchemaError
from trueup.model import (
    Check,
    Column,
    Enum,
    ForeignKey,
    Index,
    IndexPart,
    PrimaryKey,
    Schema,
    Table,
    Trigger,
)

T = TypeVar("T")


class DiffHooks:
    """The questions the differ asks an engine. The defaults suit an engine with
    case-sensitive names whose constraint names matter (PostgreSQL)."""

    #: Constraint names (FK, CHECK, unique constraint, PK) are part of the schema.
    compare_constraint_names: bool = True
    #: Indexes can be renamed in place (otherwise a rename is a drop and a create).
    rename_index: bool = True

    def key(self, name: str) -> str:
        """The form in which two names compare equal (SQLite folds ASCII case)."""
        return name

    def column_changes(self, old: Column, new: Column) -> ch.ColumnChange:
        kind = ch.ColumnChange.NONE
        if old.type.upper() != new.type.upper():
            kind |= ch.ColumnChange.TYPE
        if old.nullable != new.nullable:
            kind |= ch.ColumnChange.NULLABLE
        if old.default != new.default:
            kind |= ch.ColumnChange.DEFAULT
        if old.autoincrement != new.autoincrement:
            kind |= ch.ColumnChange.AUTOINCREMENT
        if old.generated != new.generated:
            kind |= ch.ColumnChange.GENERATED
        if old.identity != new.identity or _options_differ(old, new):
            kind |= ch.ColumnChange.IDENTITY
        if self._collation(old.collation) != self._collation(new.collation):
            kind |= ch.ColumnChange.COLLATION
        if old.comment != new.comment:
            kind |= ch.ColumnChange.COMMENT
        if old.not_null_conflict != new.not_null_conflict:
            kind |= ch.ColumnChange.NOT_NULL_CONFLICT
        return kind

    def _collation(self, name: str | None) -> str | None:
        return None if name is None else self.key(name)

    # --- keys that decide whether two objects are the same definition --------------------

    def names(self, names: Iterable[str]) -> tuple[str, ...]:
        return tuple(self.key(n) for n in names)

    def parts(self, parts: Iterable[IndexPart]) -> tuple[IndexPart, ...]:
        return tuple(
            dataclasses.replace(
                p,
                column=None if p.column is None else self.key(p.column),
                collation=self._collation(p.collation),
            )
            for p in parts
        )

    def index_definition(self, index: Index) -> object:
        parts = self.parts(index.parts)
        name = None
        if index.constraint and self.compare_constraint_names and index.name is not None:
            name = self.key(index.name)
        return (
            parts,
            index.unique,
            index.where,
            index.constraint,
            index.method,
            self.names(index.include),
            index.on_conflict,
            name,
            index.valid,
            index.nulls_not_distinct,
        )

    def foreign_key_definition(self, fk: ForeignKey) -> object:
        name = self.key(fk.name) if self.compare_constraint_names and fk.name else None
        return (
            self.names(fk.columns),
            self.key(fk.ref_table),
            fk.ref_schema,
            self.names(fk.ref_columns),
            fk.on_delete,
            fk.on_update,
            fk.deferral,
            name,
        )

    def check_definition(self, check: Check) -> object:
        name = self.key(check.name) if self.compare_constraint_names and check.name else None
        return (check.expression, name)

    def primary_key_definition(self, pk: PrimaryKey | None) -> object:
        if pk is None:
            return None
        name = self.key(pk.name) if self.compare_constraint_names and pk.name else None
        return (self.names(pk.columns), self.parts(pk.parts), pk.on_conflict, name)


def _options_differ(old: Column, new: Column) -> bool:
    """An identity column's sequence parameters, where both sides know them."""
    return (
        old.identity is not None
        and new.identity is not None
        and old.identity_options is not None
        and new.identity_options is not None
        and old.identity_options != new.identity_options
    )


def reset_changes(current: Schema, desired: Schema, hooks: DiffHooks) -> list[ch.Change]:
    """The changes of a reset: drop everything there is, then create the whole ``desired``
    schema (namespaces and extensions, which a reset keeps, are not made again)."""
    drops: list[ch.Change] = [ch.DropTrigger(t) for t in current.triggers]
    drops += [ch.DropView(v) for v in current.views]
    drops += [ch.DropVirtualTable(v) for v in current.virtual_tables]
    drops += [ch.DropTable(t) for t in current.tables]
    drops += [ch.DropEnum(e) for e in current.enums]
    drops += [ch.DropSequence(s) for s in current.sequences]
    kept = Schema(namespaces=current.namespaces, extensions=current.extensions)
    return drops + diff(kept, desired, hooks)


def diff(
    current: Schema,
    desired: Schema,
    hooks: DiffHooks | None = None,
    *,
    renames: Renames = NO_RENAMES,
) -> list[ch.Change]:
    """The changes that turn ``current`` into ``desired``. ``diff(x, x) == []``."""
    return _Differ(hooks or DiffHooks(), renames).run(current, desired)


class _Differ:
    def __init__(self, hooks: DiffHooks, renames: Renames) -> None:
        self.hooks = hooks
        self.renames = renames

    def key(self, schema: str | None, name: str) -> tuple[str | None, str]:
        return (schema, self.hooks.key(name))

    def run(self, current: Schema, desired: Schema) -> list[ch.Change]:
        out: list[ch.Change] = []
        have_ns = set(current.namespaces)
        out += [ch.AddNamespace(ns) for ns in desired.namespaces if ns not in have_ns]
        have_ext = {e.name for e in current.extensions}
        out += [ch.AddExtension(e) for e in desired.extensions if e.name not in have_ext]
        out += self.enums(current.enums, desired.enums)
        out += self.simple(
            current.sequences,
            desired.sequences,
            lambda s: self.key(s.schema, s.name),
            ch.AddSequence,
            ch.DropSequence,
            ch.ModifySequence,
        )
        out += self.tables(current.tables, desired.tables)
        out += self.simple(
            current.virtual_tables,
            desired.virtual_tables,
            lambda v: self.key(None, v.name),
            ch.AddVirtualTable,
            ch.DropVirtualTable,
            ch.ModifyVirtualTable,
        )
        out += self.simple(
            current.views,
            desired.views,
            lambda v: self.key(v.schema, v.name),
            ch.AddView,
            ch.DropView,
            ch.ModifyView,
        )
        out += self.simple(
            current.triggers,
            desired.triggers,
            lambda t: self.key(t.schema, t.name),
            ch.AddTrigger,
            ch.DropTrigger,
            ch.ModifyTrigger,
            same=self.same_trigger,
        )
        return out

    def same_trigger(self, a: Trigger, b: Trigger) -> bool:
        return a.definition == b.definition and self.hooks.key(a.table) == self.hooks.key(b.table)

    def simple(
        self,
        current: Sequence[T],
        desired: Sequence[T],
        key: Callable[[T], object],
        add: Callable[[T], ch.Change],
        drop: Callable[[T], ch.Change],
        modify: Callable[[T, T], ch.Change],
        same: Callable[[T, T], bool] | None = None,
    ) -> list[ch.Change]:
        same = same or (lambda a, b: a == b)
        have = {key(x): x for x in current}
        want = {key(x): x for x in desired}
        out: list[ch.Change] = []
        for k, old in have.items():
            if k not in want:
                out.append(drop(old))
        for k, new in want.items():
            if k not in have:
                out.append(add(new))
            elif not same(have[k], new):
                out.append(modify(have[k], new))
        return out

    def enums(self, current: Sequence[Enum], desired: Sequence[Enum]) -> list[ch.Change]:
        return self.simple(
            current,
            desired,
            lambda e: self.key(e.schema, e.name),
            ch.AddEnum,
            ch.DropEnum,
            ch.ModifyEnum,
            same=lambda a, b: a.values == b.values,
        )

    # --- renames --------------------------------------------------------------------------

    def apply_renames(
        self, current: Sequence[Table], desired: Sequence[Table]
    ) -> tuple[list[Table], list[ch.Change], dict[str, list[ch.TableChange]]]:
        """Apply the rename hints that fit to the current tables. Returns the renamed
        tables (as the database will look once the renames ran), the table renames, and the
        column renames per (new) table key. References from other tables' foreign keys follow
        the rename, as the engine's own RENAME does."""
        h = self.hooks
        have = {h.key(t.name): t for t in current}
        want = {h.key(t.name): t for t in desired}
        moves = {
            h.key(old): h.key(new)
            for old, new in self.renames.tables.items()
            if h.key(old) in have and h.key(new) in want
        }
        _refuse_swap(moves, {k: t.name for k, t in have.items()}, "tables")
        table_renames: list[ch.Change] = []
        table_map: dict[str, str] = {}
        for old_name, new_name in self.renames.tables.items():
            ok, nk = h.key(old_name), h.key(new_name)
            if ok in have and nk in want and nk not in have and ok not in want:
                table_renames.append(ch.RenameTable(have[ok], want[nk].name))
                table_map[ok] = want[nk].name
        column_renames: dict[str, list[ch.TableChange]] = {}
        column_map: dict[tuple[str, str], str] = {}
        column_moves: dict[str, dict[str, str]] = {}
        for (hinted_table, old_col), new_col in self.renames.columns.items():
            tk = h.key(hinted_table)
            old_tk = next((o for o, n in table_map.items() if h.key(n) == tk), tk)
            table, target = have.get(old_tk), want.get(tk)
            if table is None or target is None:
                continue
            old_cols = {h.key(c.name): c for c in table.columns}
            new_cols = {h.key(c.name): c for c in target.columns}
            ok, nk = h.key(old_col), h.key(new_col)
            if ok in old_cols and nk in new_cols:
                column_moves.setdefault(old_tk, {})[ok] = nk
            if ok in old_cols and nk in new_cols and nk not in old_cols and ok not in new_cols:
                column_renames.setdefault(tk, []).append(
                    ch.RenameColumn(old_cols[ok].name, new_cols[nk].name)
                )
                column_map[(tk, ok)] = new_cols[nk].name
        for old_tk, table_moves in column_moves.items():
            table = have[old_tk]
            columns = {h.key(c.name): c.name for c in table.columns}
            _refuse_swap(table_moves, columns, "columns", f" of the table `{table.name}`")
        if not table_renames and not column_renames:
            return list(current), [], {}

        def table_name(name: str) -> str:
            return table_map.get(h.key(name), name)

        def column_name(table: str, name: str) -> str:
            return column_map.get((h.key(table_name(table)), h.key(name)), name)

        def cols(table: str, names: Iterable[str]) -> tuple[str, ...]:
            return tuple(column_name(table, n) for n in names)

        renamed: list[Table] = []
        for t in current:
            fks = tuple(
                dataclasses.replace(
                    fk,
                    columns=cols(t.name, fk.columns),
                    ref_table=table_name(fk.ref_table),
                    ref_columns=cols(fk.ref_table, fk.ref_columns),
                )
                for fk in t.foreign_keys
            )
            pk = t.primary_key
            if pk is not None:
                pk = dataclasses.replace(pk, columns=cols(t.name, pk.columns))
            indexes = tuple(
                dataclasses.replace(
                    i,
                    parts=tuple(
                        p
                        if p.column is None
                        else dataclasses.replace(p, column=column_name(t.name, p.column))
                        for p in i.parts
                    ),
                    include=cols(t.name, i.include),
                )
                for i in t.indexes
            )
            renamed.append(
                dataclasses.replace(
                    t,
                    name=table_name(t.name),
                    columns=tuple(
                        dataclasses.replace(c, name=column_name(t.name, c.name)) for c in t.columns
                    ),
                    primary_key=pk,
                    indexes=indexes,
                    foreign_keys=fks,
                )
            )
        return renamed, table_renames, column_renames

    # --- tables ---------------------------------------------------------------------------

    def tables(self, current: Sequence[Table], desired: Sequence[Table]) -> list[ch.Change]:
        renamed, out, column_renames = self.apply_renames(current, desired)
        have = {self.key(t.schema, t.name): t for t in renamed}
        want = {self.key(t.schema, t.name): t for t in desired}
        for k, old in have.items():
            if k not in want:
                out.append(ch.DropTable(old))
        for k, new in want.items():
            if k not in have:
                out.append(ch.AddTable(new))
                continue
            if have[k].name != new.name and not any(
                isinstance(c, ch.RenameTable) and c.new_name == new.name for c in out
            ):
                # The same table to an engine that folds case (SQLite), spelled otherwise:
                # renamed to the declared spelling, which is what other tools compare.
                out.append(ch.RenameTable(have[k], new.name))
            renames = column_renames.get(k[1], [])
            if not renames and have[k] == new:
                # The same definition, field for field (names as spelled, expressions by
                # their normalised key): nothing can differ. Most tables of most pushes;
                # comparing is a sixth of the cost of going through them part by part.
                continue
            table_changes = renames + self.table(have[k], new)
            if table_changes:
                out.append(ch.ModifyTable(have[k], new, tuple(table_changes)))
        return out

    def table(self, old: Table, new: Table) -> list[ch.TableChange]:
        h = self.hooks
        out: list[ch.TableChange] = []
        old_cols = {h.key(c.name): c for c in old.columns}
        new_cols = {h.key(c.name): c for c in new.columns}
        for k, col in old_cols.items():
            if k not in new_cols:
                out.append(ch.DropColumn(col))
        for k, col in new_cols.items():
            if k not in old_cols:
                out.append(ch.AddColumn(col))
            else:
                if old_cols[k].name != col.name:  # spelled in another case (see tables)
                    out.append(ch.RenameColumn(old_cols[k].name, col.name))
                kind = h.column_changes(old_cols[k], col)
                if kind:
                    out.append(ch.ModifyColumn(old_cols[k], col, kind))
        if h.primary_key_definition(old.primary_key) != h.primary_key_definition(new.primary_key):
            out.append(ch.ModifyPrimaryKey(old.primary_key, new.primary_key))
        out += self.indexes(old.indexes, new.indexes)
        out += self.by_definition(
            old.foreign_keys,
            new.foreign_keys,
            h.foreign_key_definition,
            ch.AddForeignKey,
            ch.DropForeignKey,
        )
        out += self.by_definition(
            old.checks, new.checks, h.check_definition, ch.AddCheck, ch.DropCheck
        )
        if old.options != new.options:
            out.append(ch.ModifyTableOptions(old.options, new.options))
        if old.comment != new.comment:
            out.append(ch.ModifyTableComment(old.comment, new.comment))
        return out

    def by_definition(
        self,
        old: Sequence[T],
        new: Sequence[T],
        definition: Callable[[T], object],
        add: Callable[[T], ch.TableChange],
        drop: Callable[[T], ch.TableChange],
    ) -> list[ch.TableChange]:
        """Pair objects by their definition; what is left over is dropped or added.
        Duplicates are counted, so two identical checks against one is a drop."""
        remaining = [definition(x) for x in new]
        out: list[ch.TableChange] = []
        for x in old:
            d = definition(x)
            if d in remaining:
                remaining.remove(d)
            else:
                out.append(drop(x))
        pending = [definition(x) for x in old]
        for x in new:
            d = definition(x)
            if d in pending:
                pending.remove(d)
            else:
                out.append(add(x))
        return out

    def indexes(self, old: Sequence[Index], new: Sequence[Index]) -> list[ch.TableChange]:
        h = self.hooks
        out: list[ch.TableChange] = []
        old_named = {h.key(i.name): i for i in old if i.name is not None and not i.constraint}
        new_named = {h.key(i.name): i for i in new if i.name is not None and not i.constraint}
        left_old: list[Index] = [i for i in old if i.name is None or i.constraint]
        left_new: list[Index] = [i for i in new if i.name is None or i.constraint]
        # Same name: unchanged, or redefined (drop then add).
        for k, idx in old_named.items():
            if k in new_named:
                if h.index_definition(idx) != h.index_definition(new_named[k]):
                    out += [ch.DropIndex(idx), ch.AddIndex(new_named[k])]
            else:
                left_old.append(idx)
        left_new += [idx for k, idx in new_named.items() if k not in old_named]
        # Same definition under another name: a rename where the engine can rename.
        for idx in list(left_old):
            match = next(
                (n for n in left_new if h.index_definition(n) == h.index_definition(idx)), None
            )
            if match is None:
                continue
            left_old.remove(idx)
            left_new.remove(match)
            renamed = (
                idx.name is not None
                and match.name is not None
                and not idx.constraint
                and h.key(idx.name) != h.key(match.name)
            )
            if renamed and h.rename_index:
                out.append(ch.RenameIndex(idx, match))
            elif renamed:
                out += [ch.DropIndex(idx), ch.AddIndex(match)]
        out += [ch.DropIndex(i) for i in left_old]
        out += [ch.AddIndex(i) for i in left_new]
        return out


def _refuse_swap(moves: dict[str, str], names: dict[str, str], what: str, where: str = "") -> None:
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
