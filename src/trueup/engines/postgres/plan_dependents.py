"""What other objects must step aside while a PostgreSQL table changes.

Views that read a table whose columns change (or that goes) are dropped first and made
again from the declared schema at the end; foreign keys that use a key about to be dropped,
or a column whose type changes, are dropped first and added again at the end. PostgreSQL
refuses those changes under them otherwise.
"""

from __future__ import annotations

from trueup.diff import changes as ch
from trueup.engines.postgres.expressions import tokens
from trueup.engines.postgres.plan_steps import PlanBuilder, Stage
from trueup.engines.postgres.quoting import quote
from trueup.engines.postgres.render import (
    add_foreign_key,
    create_view,
    drop_view,
    table_name,
    views_in_order,
)
from trueup.model import Index, Table, View

_Key = tuple[str | None, str]
_RESHAPED = ch.ColumnChange.TYPE | ch.ColumnChange.COLLATION | ch.ColumnChange.GENERATED


def keys_in_the_way(b: PlanBuilder, modified: list[ch.ModifyTable], dropped: list[Table]) -> None:
    """A primary key or unique constraint cannot be dropped while a foreign key uses it,
    and a column of a foreign key (on either side) cannot change its type while the key
    holds (the two types would no longer match half way): such foreign keys are dropped
    first and added again at the end."""
    going, retyped = _keys_going(modified)
    if not going and not retyped:
        return
    already = {
        (s.change.new.schema, s.change.new.name, s.sql)
        for s in b.stages[Stage.DROP_FOREIGN_KEYS]
        if isinstance(s.change, ch.ModifyTable)
    }
    gone = {(t.schema, t.name) for t in dropped}
    for t in b.current.tables:
        if (t.schema, t.name) in gone:
            continue
        for fk in t.foreign_keys:
            in_the_way = (
                (fk.ref_schema, fk.ref_table, fk.ref_columns) in going
                or any((t.schema, t.name, c) in retyped for c in fk.columns)
                or any((fk.ref_schema, fk.ref_table, c) in retyped for c in fk.ref_columns)
            )
            if not in_the_way:
                continue
            sql = f"ALTER TABLE {table_name(t)} DROP CONSTRAINT {quote(fk.name or '')}"
            if (t.schema, t.name, sql) in already:
                continue
            b.add(Stage.DROP_FOREIGN_KEYS, sql, f"drop {fk.name} while its key changes", None)
            target = b.desired.table(t.name, t.schema)
            if target is not None and fk in target.foreign_keys:
                b.add(
                    Stage.ADD_FOREIGN_KEYS,
                    add_foreign_key(target, fk),
                    f"add {fk.name} again",
                    None,
                )


def _keys_going(
    modified: list[ch.ModifyTable],
) -> tuple[set[tuple[str | None, str, tuple[str, ...]]], set[tuple[str | None, str, str]]]:
    """The keys (table, columns) a foreign key may use that go or change, and the columns
    (table, column) whose type changes. A unique constraint that is only renamed counts as
    going, as it did when a rename was a drop and an add."""
    going: set[tuple[str | None, str, tuple[str, ...]]] = set()
    retyped: set[tuple[str | None, str, str]] = set()
    for m in modified:
        for p in m.changes:
            if isinstance(p, ch.ModifyPrimaryKey) and p.old is not None:
                if p.new is None or p.new.columns != p.old.columns:
                    going.add((m.new.schema, m.new.name, p.old.columns))
            elif isinstance(p, ch.DropIndex) and p.index.unique:
                going.add((m.new.schema, m.new.name, p.index.columns))
            elif isinstance(p, ch.RenameConstraint) and isinstance(p.old, Index) and p.old.unique:
                going.add((m.new.schema, m.new.name, p.old.columns))
            elif isinstance(p, ch.ModifyColumn) and ch.ColumnChange.TYPE in p.kind:
                retyped.add((m.old.schema, m.old.name, p.old.name))
    return going, retyped


def views(
    b: PlanBuilder,
    changes: tuple[ch.Change, ...],
    modified: list[ch.ModifyTable],
    dropped: list[Table],
) -> None:
    """Views are dropped when they go or change, and also (to be made again from the
    declared schema) when they read a table whose columns change or that is dropped:
    PostgreSQL refuses those changes under a view."""
    drops: dict[_Key, View] = {}
    creates: dict[_Key, tuple[View, ch.Change | None]] = {}
    sources: dict[_Key, ch.Change] = {}
    for c in changes:
        if isinstance(c, ch.DropView):
            drops[(c.view.schema, c.view.name)] = c.view
            sources[(c.view.schema, c.view.name)] = c
        elif isinstance(c, ch.AddView):
            creates[(c.view.schema, c.view.name)] = (c.view, c)
        elif isinstance(c, ch.ModifyView):
            drops[(c.old.schema, c.old.name)] = c.old
            creates[(c.new.schema, c.new.name)] = (c.new, c)
            sources[(c.old.schema, c.old.name)] = c
    touched = {t.name for t in dropped}
    for m in modified:
        if any(
            isinstance(p, ch.DropColumn | ch.RenameColumn)
            or (isinstance(p, ch.ModifyColumn) and p.kind & _RESHAPED)
            for p in m.changes
        ):
            touched.add(m.old.name)
    _readers(b, touched, drops, creates)
    for v in reversed(views_in_order(list(drops.values()))):
        change = sources.get((v.schema, v.name))
        b.add(Stage.DROP_VIEWS, drop_view(v), f"drop view {v.name}", change)
    _create_views(b, drops, creates)


def _readers(
    b: PlanBuilder,
    touched: set[str],
    drops: dict[_Key, View],
    creates: dict[_Key, tuple[View, ch.Change | None]],
) -> None:
    """Add to ``drops`` every view that reads a touched table or a dropped view (and so
    on), and to ``creates`` those of them the declared schema has."""
    wanted = {(v.schema, v.name): v for v in b.desired.views}
    grown = True
    while grown:
        grown = False
        names = touched | {v.name for v in drops.values()}
        for v in b.current.views:
            k = (v.schema, v.name)
            if k in drops:
                continue
            words = set(tokens(v.definition.text))
            if any(n.lower() in words or quote(n) in words for n in names):
                drops[k] = v
                if k in wanted and k not in creates:
                    creates[k] = (wanted[k], None)
                grown = True


def _create_views(
    b: PlanBuilder, drops: dict[_Key, View], creates: dict[_Key, tuple[View, ch.Change | None]]
) -> None:
    for v in views_in_order([v for v, _ in creates.values()]):
        k = (v.schema, v.name)
        _, change = creates[k]
        b.add(Stage.CREATE_VIEWS, create_view(v), f"create view {v.name}", change)
        old = drops.get(k)
        if old is not None:  # made again: what it had goes back on it
            kind = "MATERIALIZED VIEW" if v.materialized else "VIEW"
            same_kind = old.materialized == v.materialized
            b.give_back(
                Stage.CREATE_VIEWS,
                ("relation", *k),
                kind,
                change,
                same_columns=same_kind and old.definition == v.definition,
                same_kind=same_kind,
            )
