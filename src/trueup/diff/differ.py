"""The differ: one algorithm for every engine.

``diff(current, desired, hooks)`` walks tables, columns, keys, indexes, foreign keys, checks,
views, triggers and enums, and returns typed changes. Engines differ only in the answers of
their :class:`DiffHooks` (how names compare, whether constraint names matter), never in
``if engine == ...`` branches here. Rename hints are applied to the current tables first
(:mod:`~trueup.diff.rename_hints`); where constraints are objects of their own, a drop and an
add that are one constraint become one change (:mod:`~trueup.diff.pairing`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from trueup.diff import changes as ch
from trueup.diff.hooks import DiffHooks
from trueup.diff.pairing import pair_constraints
from trueup.diff.rename_hints import apply_rename_hints
from trueup.diff.renames import NO_RENAMES, Renames
from trueup.model import Enum, Index, Schema, Table, Trigger

T = TypeVar("T")

__all__ = ["DiffHooks", "diff", "reset_changes"]


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

    # --- tables ---------------------------------------------------------------------------

    def tables(self, current: Sequence[Table], desired: Sequence[Table]) -> list[ch.Change]:
        hinted = apply_rename_hints(current, desired, self.hooks, self.renames)
        out, column_renames = hinted.table_renames, hinted.column_renames
        have = {self.key(t.schema, t.name): t for t in hinted.tables}
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
        return pair_constraints(out, h) if h.pair_constraints else out

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
