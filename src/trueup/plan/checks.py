"""What a plan puts at risk, measured on the live data before anything runs.

Every finding comes from a typed change plus a query on the current rows: how many rows a
dropped table holds, how many values a dropped column still has, how many NULLs stand in
the way of NOT NULL, how many values would not survive a type change, how many duplicate
groups a new unique key would meet (or a unique key that stays while the type or collation
of a column in it changes), how many orphans a new foreign key, how many rows break a new
CHECK. Each finding carries the count and up to five keys of affected rows.

A condition that holds for no row makes no finding: an empty table or column never blocks.
A query the engine cannot answer (a CHECK naming a column that does not exist yet) gives the
finding without numbers, at the risk the change has without data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, assert_never

from trueup.diff import changes as ch
from trueup.engines.base import Dialect, Session
from trueup.errors import TrueupError
from trueup.model import Check, Column, Index, IndexPart, PrimaryKey, Schema, Table
from trueup.plan import risk
from trueup.plan.foreign_keys import new_foreign_key
from trueup.plan.plan import Finding, Risk

#: Columns whose type or collation changes, by the key of their new name: the old and the
#: new column, and what changes of the two.
Rekeyed = dict[str, tuple[Column, Column, ch.ColumnChange]]


#: Columns (schema, table, column) whose default the client makes, not the database
#: (Prisma's ``@default(uuid())``, ``cuid()``, ``nanoid()``, ...).
ClientDefaults = frozenset[tuple[str | None, str, str]]


def check(
    changes: Sequence[ch.Change],
    current: Schema,
    session: Session,
    dialect: Dialect,
    *,
    client_defaults: ClientDefaults = frozenset(),
) -> tuple[Finding, ...]:
    """The findings of ``changes`` against the data behind ``session``."""
    return _Checks(current, session, dialect, client_defaults).run(changes)


@dataclass
class _Table:
    """One table as the checks see it: its name in the database now (before any rename in
    the plan), and how to name its columns there."""

    name: str
    model: Table
    columns: dict[str, str] = field(default_factory=dict)  # declared name -> name now

    @property
    def schema(self) -> str | None:
        """Its schema (namespace); None is the default one."""
        return self.model.schema

    @property
    def shown(self) -> str:
        """Its name as messages give it: with its schema when that is not the default."""
        return self.name if self.schema is None else f"{self.schema}.{self.name}"

    def column(self, name: str) -> str:
        return self.columns.get(name, name)


class _Checks:
    SAVEPOINT = "trueup_check"

    def __init__(
        self,
        current: Schema,
        session: Session,
        dialect: Dialect,
        client_defaults: ClientDefaults = frozenset(),
    ) -> None:
        self.current = current
        self.session = session
        self.dialect = dialect
        self.q = dialect.quote
        self.hooks = dialect.hooks
        # (schema, key of the declared name) -> name now
        self.table_names: dict[tuple[str | None, str], str] = {}
        self._counts: dict[tuple[str | None, str, str | None], int | None] = {}
        #: The values each enum takes during the push (its type's name -> values). A cast
        #: into an enum is judged by them, not tried: the type may not exist yet, and
        #: PostgreSQL has no cast from another enum. A value added in the same push cannot
        #: be used before it commits, so a changed enum counts the values it keeps.
        self.enum_values: dict[str, tuple[str, ...]] = {
            dialect.enum_type_name(e.name, e.schema): tuple(e.values) for e in current.enums
        }
        self._trial: bool | None = None
        self.client_defaults = client_defaults

    @property
    def trial(self) -> bool:
        """Whether the engine's trial cast is ready (made once, when first needed)."""
        if self._trial is None:
            self.session.execute(f"SAVEPOINT {self.SAVEPOINT}")
            try:
                self._trial = self.dialect.prepare_checks(self.session)
            except TrueupError:
                raise
            except Exception:  # the engine refused (a read-only transaction): no trial cast
                self.session.execute(f"ROLLBACK TO SAVEPOINT {self.SAVEPOINT}")
                self._trial = False
            self.session.execute(f"RELEASE SAVEPOINT {self.SAVEPOINT}")
        return self._trial

    # --- queries ---------------------------------------------------------------------------

    def query(self, sql: str) -> list[tuple[Any, ...]] | None:
        """Run a read-only probe; None when the engine cannot answer it. A savepoint keeps
        a failed probe from spoiling the push's transaction (PostgreSQL aborts it)."""
        self.session.execute(f"SAVEPOINT {self.SAVEPOINT}")
        try:
            rows = self.session.query(sql)
        except TrueupError:
            raise  # about the database itself (damaged, unreadable): not this probe's
        except Exception:  # the engine's own error: this probe has no answer
            self.session.execute(f"ROLLBACK TO SAVEPOINT {self.SAVEPOINT}")
            rows = None
        self.session.execute(f"RELEASE SAVEPOINT {self.SAVEPOINT}")
        return rows

    def qualified(self, table: _Table) -> str:
        """The table's name in SQL, with its schema when that is not the default one."""
        name = self.q(table.name)
        return name if table.schema is None else f"{self.q(table.schema)}.{name}"

    def _not_in_enum(self, col: str, new: Column) -> str | None:
        """The values a cast into an enum would refuse (None when the new type is none)."""
        values = self.enum_values.get(new.type.removesuffix("[]"))
        if values is None:
            return None
        listed = ", ".join(self.dialect.literal(v) for v in values) or "NULL"
        if new.type.endswith("[]"):
            return f"NOT (CAST({col} AS TEXT[]) <@ ARRAY[{listed}]::TEXT[])"
        return f"CAST({col} AS TEXT) NOT IN ({listed})"

    def unconvertible(self, col: str, old: Column, new: Column, table: Table) -> str | None:
        return self._not_in_enum(col, new) or self.dialect.unconvertible(
            col, old, new, trial=self.trial, table=table
        )

    def uncastable(self, col: str, old: Column, new: Column, table: Table) -> str | None:
        return self._not_in_enum(col, new) or self.dialect.uncastable(
            col, old, new, table, trial=self.trial
        )

    def count(self, table: _Table, where: str | None = None) -> int | None:
        key = (table.schema, table.name, where)
        if key not in self._counts:
            sql = f"SELECT count(*) FROM {self.qualified(table)}"
            if where:
                sql += f" WHERE {where}"
            rows = self.query(sql)
            self._counts[key] = None if rows is None else int(rows[0][0])
        return self._counts[key]

    def rows(self, table: _Table) -> int | None:
        return self.count(table)

    def prefetch(self, table: _Table, wheres: list[str]) -> None:
        """Count the rows and every condition in one pass over the table instead of one
        pass each (a big table is read once). If the engine refuses the combined query (one
        condition names a column that does not exist yet), the counts are taken one by one
        when asked."""
        done = self._counts
        wheres = list(dict.fromkeys(w for w in wheres if (table.schema, table.name, w) not in done))
        if not wheres:
            return
        filters = ", ".join(f"count(*) FILTER (WHERE {w})" for w in wheres)
        found = self.query(f"SELECT count(*), {filters} FROM {self.qualified(table)}")
        if found is None:
            return
        self._counts[(table.schema, table.name, None)] = int(found[0][0])
        for where, value in zip(wheres, found[0][1:], strict=True):
            self._counts[(table.schema, table.name, where)] = int(value)

    def examples_where(self, table: _Table, where: str, alias: str) -> tuple[object, ...]:
        """Some keys of the rows of ``table`` (named ``alias`` in ``where``) that ``where``
        holds for."""
        keys = ", ".join(f"{alias}.{k}" for k in self.dialect.row_key(table.model))
        found = self.query(
            f"SELECT {keys} FROM {self.qualified(table)} AS {alias} WHERE {where} "
            f"LIMIT {risk.EXAMPLES}"
        )
        return tuple(r[0] if len(r) == 1 else tuple(r) for r in found or [])

    def examples(self, table: _Table, where: str) -> tuple[object, ...]:
        keys = self.dialect.row_key(table.model)
        select = ", ".join(keys)
        found = self.query(
            f"SELECT {select} FROM {self.qualified(table)} WHERE {where} LIMIT {risk.EXAMPLES}"
        )
        if not found:
            return ()
        return tuple(r[0] if len(r) == 1 else tuple(r) for r in found)

    def measured(
        self,
        code: str,
        level: Risk,
        message: str,
        t: _Table,
        count: int | None,
        examples: tuple[object, ...],
        column: str | None = None,
    ) -> list[Finding]:
        """A finding with its numbers: the table's rows, the count, the example keys."""
        return [
            Finding(
                code,
                level,
                message,
                table=t.name,
                column=column,
                rows=self.rows(t),
                count=count,
                examples=examples,
            )
        ]

    def key_label(self, table: _Table) -> list[str]:
        pk = table.model.primary_key
        return list(pk.columns) if pk else ["rowid"]

    # --- walking the changes -----------------------------------------------------------------

    def run(self, changes: Sequence[ch.Change]) -> tuple[Finding, ...]:
        # Types columns are cast into: an enum that gains values while a column is cast
        # into it is made anew, where the added values are usable at once (see the
        # PostgreSQL planner); otherwise only the values it keeps are.
        cast_into = {
            p.new.type.removesuffix("[]")
            for m in changes
            if isinstance(m, ch.ModifyTable)
            for p in m.changes
            if isinstance(p, ch.ModifyColumn) and ch.ColumnChange.TYPE in p.kind
        }
        for c in changes:
            if isinstance(c, ch.AddEnum):
                name = self.dialect.enum_type_name(c.enum.name, c.enum.schema)
                self.enum_values[name] = tuple(c.enum.values)
            elif isinstance(c, ch.ModifyEnum):
                name = self.dialect.enum_type_name(c.new.name, c.new.schema)
                kept = tuple(v for v in c.old.values if v in c.new.values)
                self.enum_values[name] = tuple(c.new.values) if name in cast_into else kept
            if isinstance(c, ch.RenameTable):
                self.table_names[(c.old.schema, self.hooks.key(c.new_name))] = c.old.name
        out: list[Finding] = []
        for change in changes:
            match change:
                case ch.DropTable(table=t):
                    out += self.drop_table(_Table(t.name, t))
                case ch.DropVirtualTable(table=vt) | ch.ModifyVirtualTable(old=vt):
                    out += self.drop_virtual_table(vt.name, change)
                case ch.ModifyTable():
                    out += self.modify_table(change)
                case ch.ModifyEnum(old=old, new=new):
                    out += self.enum_values_removed(old.name, old.schema, old.values, new.values)
                case (
                    ch.AddTable()
                    | ch.RenameTable()
                    | ch.AddView()
                    | ch.DropView()
                    | ch.ModifyView()
                    | ch.AddTrigger()
                    | ch.DropTrigger()
                    | ch.ModifyTrigger()
                    | ch.AddVirtualTable()
                    | ch.AddEnum()
                    | ch.DropEnum()
                    | ch.AddSequence()
                    | ch.DropSequence()
                    | ch.ModifySequence()
                    | ch.AddNamespace()
                    | ch.AddExtension()
                ):
                    pass
                case _:
                    assert_never(change)
        return tuple(out)

    def drop_table(self, t: _Table) -> list[Finding]:
        n = self.rows(t)
        if n == 0:
            return []
        if n is None:
            message = (
                f"You are about to drop the `{t.shown}` table. If the table is not empty, all "
                "the data it contains will be lost."
            )
        else:
            message = f"You are about to drop the `{t.shown}` table, which is not empty ({n} rows)."
        return [Finding(risk.DROP_TABLE, Risk.DATA_LOSS, message, table=t.name, rows=n, count=n)]

    def drop_virtual_table(self, name: str, change: ch.Change) -> list[Finding]:
        n = self.count(_Table(name, Table(name)))
        if n == 0:
            return []
        again = " and created again" if isinstance(change, ch.ModifyVirtualTable) else ""
        held = f"the {plural_rows(n)} it holds" if n is not None else "the data it holds"
        return [
            Finding(
                risk.DROP_VIRTUAL_TABLE,
                Risk.DATA_LOSS,
                f"The virtual table `{name}` will be dropped{again}; {held} will be lost.",
                table=name,
                rows=n,
                count=n,
            )
        ]

    def modify_table(self, change: ch.ModifyTable) -> list[Finding]:
        old, new = change.old, change.new
        name_now = self.table_names.get((new.schema, self.hooks.key(new.name)), old.name)
        columns_now = {x.new: x.old for x in change.changes if isinstance(x, ch.RenameColumn)}
        # The model as it is in the database now, for the row keys of the examples.
        model_now = self.current.table(name_now, old.schema) or old
        t = _Table(name_now, model_now, columns_now)
        added = {
            self.hooks.key(x.column.name) for x in change.changes if isinstance(x, ch.AddColumn)
        }
        dropped = [x.column.name for x in change.changes if isinstance(x, ch.DropColumn)]
        keyed = self._rekeyed(change)
        self.prefetch(t, self._conditions(t, change))
        out: list[Finding] = []
        for part in change.changes:
            match part:
                case ch.DropColumn(column=c):
                    out += self.drop_column(t, c)
                case ch.ModifyColumn(old=oc, new=nc, kind=kind):
                    out += self.modify_column(t, new, oc, nc, kind)
                case ch.AddColumn(column=c):
                    out += self.add_column(t, new, c, dropped)
                case ch.ModifyPrimaryKey(old=old_pk, new=new_pk) if not part.renamed_only:
                    out += self.primary_key(t, new, old_pk is not None, new_pk, added, keyed)
                case ch.AddIndex(index=idx) | ch.RenameConstraint(new=Index() as idx) if idx.unique:
                    out += self.unique(t, new, idx, added, keyed)
                case ch.AddForeignKey(foreign_key=fk):
                    out += new_foreign_key(self, t, fk, change)
                case (
                    ch.AddCheck(check=c)
                    | ch.ModifyCheck(new=c)
                    | ch.RenameConstraint(new=Check() as c)
                ):
                    out += self.check_constraint(t, c.expression.text)
                case (
                    ch.AddIndex()
                    | ch.DropIndex()
                    | ch.RenameIndex()
                    | ch.RenameColumn()
                    | ch.DropForeignKey()
                    | ch.ModifyForeignKey()  # the rows met it already: only its actions change
                    | ch.RenameConstraint()
                    | ch.DropCheck()
                    | ch.ModifyTableOptions()
                    | ch.ModifyTableComment()
                    | ch.ModifyPrimaryKey()  # renamed only
                ):
                    pass
                case _:
                    assert_never(part)
        return out + self.kept_keys(t, change, keyed)

    def _rekeyed(self, change: ch.ModifyTable) -> Rekeyed:
        """The columns whose type or collation changes (old, new, what changes), by the key
        of their new name: a unique key over them may find values equal that were not.
        Generated columns are computed anew, and a value cast into an enum keeps its label,
        so neither is among them."""
        out: Rekeyed = {}
        for x in change.changes:
            if not isinstance(x, ch.ModifyColumn) or x.old.generated or x.new.generated:
                continue
            kind = x.kind & (ch.ColumnChange.TYPE | ch.ColumnChange.COLLATION)
            if kind and x.new.type.removesuffix("[]") not in self.enum_values:
                out[self.hooks.key(x.new.name)] = (x.old, x.new, kind)
        return out

    def _conditions(self, t: _Table, change: ch.ModifyTable) -> list[str]:
        """The row conditions the checks of ``change`` will count (see ``prefetch``)."""
        out: list[str] = []
        for part in change.changes:
            match part:
                case ch.DropColumn(column=c) if c.generated is None:
                    out.append(not_null(self.q(t.column(c.name))))
                case ch.ModifyColumn(old=oc, new=nc, kind=kind) if (
                    oc.generated is None and nc.generated is None
                ):
                    col = self.q(t.column(oc.name))
                    if ch.ColumnChange.TYPE in kind and self.dialect.checks_type_change(
                        oc, nc, change.new
                    ):
                        out.append(not_null(col))
                        predicate = self.unconvertible(col, oc, nc, change.new)
                        if predicate is not None:
                            out.append(f"{not_null(col)} AND {predicate}")
                    if ch.ColumnChange.NULLABLE in kind and oc.nullable and not nc.nullable:
                        out.append(is_null(col))
                case (
                    ch.AddCheck(check=c)
                    | ch.ModifyCheck(new=c)
                    | ch.RenameConstraint(new=Check() as c)
                ):
                    out.append(breaks(c.expression.text))
                case _:
                    pass
        return out

    # --- one check each ------------------------------------------------------------------

    def drop_column(self, t: _Table, c: Column) -> list[Finding]:
        if c.generated is not None:
            return []  # computed from other columns: nothing of its own is lost
        col = self.q(t.column(c.name))
        where = not_null(col)
        n = self.count(t, where)
        if n == 0:
            return []
        if n is None:
            message = (
                f"You are about to drop the column `{c.name}` on the `{t.shown}` table. All the "
                "data in the column will be lost."
            )
            examples: tuple[object, ...] = ()
        else:
            examples = self.examples(t, where)
            message = (
                f"You are about to drop the column `{c.name}` on the `{t.shown}` table, which "
                f"still contains {n} non-null values"
                f"{risk.example_text(self.key_label(t), examples)}."
            )
        return self.measured(
            risk.DROP_COLUMN, Risk.DATA_LOSS, message, t, n, examples, column=c.name
        )

    def computed_over_values(self, t: _Table, c: Column, expression: str) -> list[Finding]:
        """A stored column becomes a generated one: the values it holds give way to the
        computed ones. Values equal to what the expression gives lose nothing."""
        col = self.q(t.column(c.name))
        where = f"{col} IS NOT NULL AND (({expression}) IS NULL OR {col} <> ({expression}))"
        n = self.count(t, where)
        if n == 0:
            return []
        start = (
            f"The column `{c.name}` on the `{t.shown}` table becomes a generated column, "
            f"computed as {expression}"
        )
        examples: tuple[object, ...] = ()
        if n is None:
            message = f"{start}. The values it holds will be replaced."
        else:
            examples = self.examples(t, where)
            message = (
                f"{start}; {plural(n, 'value', 'values')} it holds will be replaced by the "
                f"computed ones{risk.example_text(self.key_label(t), examples)}."
            )
        return self.measured(
            risk.COMPUTED_OVER_VALUES, Risk.DATA_LOSS, message, t, n, examples, column=c.name
        )

    def modify_column(
        self, t: _Table, new_table: Table, old: Column, new: Column, kind: ch.ColumnChange
    ) -> list[Finding]:
        if new.generated is not None and old.generated is None:
            return self.computed_over_values(t, old, new.generated.expression.text)
        if new.generated is not None or old.generated is not None:
            return []
        out: list[Finding] = []
        col = self.q(t.column(old.name))
        if ch.ColumnChange.TYPE in kind and self.dialect.checks_type_change(old, new, new_table):
            out += self.narrowing(t, new_table, col, old, new)
        if ch.ColumnChange.NULLABLE in kind and old.nullable and not new.nullable:
            where = is_null(col)
            n = self.count(t, where)
            if n:
                examples = self.examples(t, where)
                shown = risk.example_text(self.key_label(t), examples)
                if new.default is not None:
                    message = (
                        f"Made the column `{new.name}` on table `{t.shown}` required; its "
                        f"{plural(n, 'NULL value', 'NULL values')}{shown} will be set to the "
                        f"default {new.default.text}."
                    )
                    level = Risk.CAUTION
                else:
                    there = plural(n, "existing NULL value", "existing NULL values")
                    message = (
                        f"Made the column `{new.name}` on table `{t.shown}` required, but there "
                        f"{'is' if n == 1 else 'are'} {there}{shown}."
                    )
                    level = Risk.UNEXECUTABLE
                out.append(
                    Finding(
                        risk.MADE_REQUIRED,
                        level,
                        message,
                        table=t.name,
                        column=new.name,
                        rows=self.rows(t),
                        count=n,
                        examples=examples,
                    )
                )
            elif n is None:
                out.append(
                    Finding(
                        risk.MADE_REQUIRED,
                        Risk.CAUTION,
                        f"Made the column `{new.name}` on table `{t.shown}` required. This step "
                        "will fail if there are existing NULL values in that column.",
                        table=t.name,
                        column=new.name,
                    )
                )
        return out

    def narrowing(
        self, t: _Table, new_table: Table, col: str, old: Column, new: Column
    ) -> list[Finding]:
        cast = f"The data in that column will be cast from `{old.type or 'no type'}` to `{new.type or 'no type'}`."  # noqa: E501
        predicate = self.unconvertible(col, old, new, new_table)
        nonnull = self.count(t, not_null(col))
        if nonnull == 0:
            return []
        bad = None if predicate is None else self.count(t, f"{not_null(col)} AND {predicate}")
        if bad == 0:
            return self.kept_as_other_class(t, new_table, col, old, new, nonnull)
        if bad is None or nonnull is None:
            message = (
                f"You are about to alter the column `{new.name}` on the `{t.shown}` table. The "
                f"data in that column could be lost. {cast}"
            )
            return [
                Finding(
                    risk.NARROWING_TYPE,
                    Risk.DATA_LOSS,
                    message,
                    table=t.name,
                    column=new.name,
                    rows=self.rows(t),
                )
            ]
        assert predicate is not None
        examples = self.examples(t, f"{not_null(col)} AND {predicate}")
        failing = self.uncastable(col, old, new, new_table)
        fails = 0 if failing is None else self.count(t, f"{not_null(col)} AND {failing}")
        message = (
            f"You are about to alter the column `{new.name}` on the `{t.shown}` table, which "
            f"contains {nonnull} non-null values. {cast} {bad} of them would not convert or "
            f"would change{risk.example_text(self.key_label(t), examples)}."
        )
        if fails is None or fails:
            many = "some" if fails is None else plural(fails, "value", "values")
            message += f" The cast fails for {many} of them, so this step cannot be executed."
        return self.measured(
            risk.NARROWING_TYPE,
            Risk.UNEXECUTABLE if fails else Risk.DATA_LOSS,
            message,
            t,
            bad,
            examples,
            column=new.name,
        )

    def kept_as_other_class(
        self, t: _Table, new_table: Table, col: str, old: Column, new: Column, nonnull: int | None
    ) -> list[Finding]:
        """Values the change keeps as they are although they are not of the new type (text
        in a SQLite INTEGER column): nothing is lost, but an application reading the column
        as the new type finds them."""
        where = self.dialect.kept_as_other_class(col, new, new_table)
        if where is None:
            return []
        where = f"{not_null(col)} AND {where}"
        n = self.count(t, where)
        if not n:
            return []
        examples = self.examples(t, where)
        message = (
            f"You are about to alter the column `{new.name}` on the `{t.shown}` table, which "
            f"contains {nonnull} non-null values. The data in that column will be cast from "
            f"`{old.type or 'no type'}` to `{new.type or 'no type'}`. "
            f"{plural(n, 'value stays', 'values stay')} as {'it is' if n == 1 else 'they are'}"
            f", not of the new type{risk.example_text(self.key_label(t), examples)}: nothing "
            "is lost, but an application that reads the column as the new type will find them."
        )
        return self.measured(
            risk.NARROWING_TYPE, Risk.CAUTION, message, t, n, examples, column=new.name
        )

    def add_column(
        self, t: _Table, new_table: Table, c: Column, dropped: list[str]
    ) -> list[Finding]:
        """A required column without a default, added to a table with rows. Prisma's
        words; and when a column of the table is dropped in the same push, the likely
        cause: a rename nobody told trueup about."""
        if (
            c.nullable
            or c.default is not None
            or c.generated is not None
            or self.dialect.auto_filled(new_table, c)
        ):
            return []
        n = self.rows(t)
        if n == 0:
            return []
        rows = (
            "This is not possible if the table is not empty."
            if n is None
            else f"There are {n} rows in this table, it is not possible to execute this step."
        )
        if (new_table.schema, new_table.name, c.name) in self.client_defaults:
            message = (
                f"The required column `{c.name}` was added to the `{t.shown}` table with a "
                f"prisma-level default value. {rows} Please add this column as optional, "
                "then populate it before making it required."
            )
        else:
            message = (
                f"Added the required column `{c.name}` to the `{t.shown}` table without a "
                f"default value. {rows}"
            )
        if dropped:
            message += " " + _maybe_renamed(t.name, c.name, dropped)
        return [
            Finding(
                risk.REQUIRED_WITHOUT_DEFAULT,
                Risk.UNEXECUTABLE,
                message,
                table=t.name,
                column=c.name,
                rows=n,
                count=n,
            )
        ]

    def _duplicates(
        self, t: _Table, keys: list[str], where: str | None, *, nulls_equal: bool = False
    ) -> tuple[int | None, tuple[object, ...]]:
        """How many groups of rows share one value of ``keys``, and some of those rows.
        NULLs never collide in a unique key, unless it is NULLS NOT DISTINCT
        (``nulls_equal``): then a NULL is a value like any other, as GROUP BY takes it."""
        conds = [] if nulls_equal else [f"{k} IS NOT NULL" for k in keys]
        conds += [f"({where})"] if where else []
        cond = " AND ".join(conds)
        filtered = f" WHERE {cond}" if cond else ""
        key_list = ", ".join(keys)
        groups = f"SELECT {key_list} FROM {self.qualified(t)}{filtered} GROUP BY {key_list} HAVING count(*) > 1"  # noqa: E501
        rows = self.query(f"SELECT count(*) FROM ({groups}) AS dup")
        if rows is None:
            return None, ()
        n = int(rows[0][0])
        if n == 0:
            return 0, ()
        if not nulls_equal:
            target = keys[0] if len(keys) == 1 else f"({key_list})"
            return n, self.examples(t, f"{cond} AND {target} IN ({groups})")
        # IN never matches a NULL: the rows of each group are found by IS NOT DISTINCT
        # FROM, against the groups' keys under names no column of the table can clash with.
        dup = self.q("_trueup_dup")
        names = [self.q(f"_trueup_key{i}") for i in range(len(keys))]
        named = ", ".join(f"{k} AS {n}" for k, n in zip(keys, names, strict=True))
        same = " AND ".join(
            f"{dup}.{n} IS NOT DISTINCT FROM {k}" for k, n in zip(keys, names, strict=True)
        )
        found = (
            f"EXISTS (SELECT 1 FROM (SELECT {named} FROM {self.qualified(t)}{filtered} "
            f"GROUP BY {key_list} HAVING count(*) > 1) AS {dup} WHERE {same})"
        )
        return n, self.examples(t, f"{cond} AND {found}" if cond else found)

    def key_sql(
        self,
        t: _Table,
        table: Table,
        part: IndexPart,
        keyed: Rekeyed,
    ) -> str:
        """One part of a unique key as the new table compares it: a column whose type or
        collation changes by its new type and collation (``Dialect.key_value``)."""
        if part.column is None:
            assert part.expression is not None
            key = f"({part.expression.text})"
        else:
            key = self.q(t.column(part.column))
            if (found := keyed.get(self.hooks.key(part.column))) is not None:
                old, new, _ = found
                return self.dialect.key_value(key, old, new, part.collation or new.collation, table)
        return key + (f" COLLATE {self.q(part.collation)}" if part.collation else "")

    def rekeyed_columns(
        self,
        t: _Table,
        table: Table,
        parts: Sequence[IndexPart],
        keyed: Rekeyed,
    ) -> str:
        """What changes in how the key's columns compare, in words (``collation of
        `email```), or ``""`` when their values compare as before."""
        out = []
        for p in parts:
            found = keyed.get(self.hooks.key(p.column)) if p.column is not None else None
            if found is None:
                continue
            old, new, kind = found
            col = self.q(t.column(new.name))
            before = self.dialect.key_value(col, old, old, p.collation or old.collation, table)
            after = self.dialect.key_value(col, old, new, p.collation or new.collation, table)
            if before != after:
                out.append(f"{kind.describe()} of `{new.name}`")
        return ch.and_list(out) if out else ""

    def primary_key(
        self,
        t: _Table,
        table: Table,
        had_key: bool,
        pk: PrimaryKey | None,
        added: set[str],
        keyed: Rekeyed,
    ) -> list[Finding]:
        n = self.rows(t)
        columns = pk.columns if pk is not None else ()
        if n == 0 or pk is None or not columns:
            return []
        if any(self.hooks.key(c) in added for c in columns):
            dups: int | None = None
            examples: tuple[object, ...] = ()
        else:
            keys = [self.key_sql(t, table, p, keyed) for p in _key_parts(pk)]
            dups, examples = self._duplicates(t, keys, None)
        label = ", ".join(columns)
        if dups:
            message = (
                f"The primary key for the `{t.shown}` table cannot be changed to ({label}): "
                f"{plural(dups, 'value is', 'values are')} shared by more than one row"
                f"{risk.example_text(self.key_label(t), examples)}."
            )
            return [
                Finding(
                    risk.PRIMARY_KEY,
                    Risk.UNEXECUTABLE,
                    message,
                    table=t.name,
                    rows=n,
                    count=dups,
                    examples=examples,
                )
            ]
        if not had_key:
            return []
        return [
            Finding(
                risk.PRIMARY_KEY,
                Risk.CAUTION,
                f"The primary key for the `{t.shown}` table will be changed to ({label}).",
                table=t.name,
                rows=n,
            )
        ]

    def unique(
        self,
        t: _Table,
        table: Table,
        idx: Index,
        added: set[str],
        keyed: Rekeyed,
    ) -> list[Finding]:
        columns = "[" + ",".join(idx.columns or ("expression",)) + "]"
        if any(self.hooks.key(c) in added for c in idx.columns):
            dups: int | None = None
            examples: tuple[object, ...] = ()
        else:
            keys = [self.key_sql(t, table, p, keyed) for p in idx.parts]
            where = idx.where.text if idx.where is not None else None
            dups, examples = self._duplicates(t, keys, where, nulls_equal=idx.nulls_not_distinct)
        if dups == 0:
            return []
        if dups is None:
            message = (
                f"A unique constraint covering the columns `{columns}` on the table `{t.shown}` "
                "will be added. If there are existing duplicate values, this will fail."
            )
            return [Finding(risk.NEW_UNIQUE, Risk.CAUTION, message, table=t.name)]
        message = (
            f"A unique constraint covering the columns `{columns}` on the table `{t.shown}` "
            f"cannot be added: {plural(dups, 'value is', 'values are')} shared by more than "
            f"one row{_nulls_equal(idx.nulls_not_distinct)}"
            f"{risk.example_text(self.key_label(t), examples)}."
        )
        return self.measured(risk.NEW_UNIQUE, Risk.UNEXECUTABLE, message, t, dups, examples)

    def kept_keys(
        self,
        t: _Table,
        change: ch.ModifyTable,
        keyed: Rekeyed,
    ) -> list[Finding]:
        """Unique keys that stay while the type or collation of a column in them changes:
        values that were apart may become equal (``'a'`` and ``'A'`` under NOCASE, ``'1'``
        and ``'01'`` as integers), and the key cannot be built again over them. Counted as
        for a new key (a primary key as ``DL104``, a unique index or constraint as
        ``DD203``); a key that is new or changed is counted where it changes."""
        if not keyed:
            return []
        table = change.new
        new_keys = [x.index for x in change.changes if isinstance(x, ch.AddIndex)]
        new_keys += [
            x.new
            for x in change.changes
            if isinstance(x, ch.RenameConstraint) and isinstance(x.new, Index)
        ]
        pk_changed = any(
            isinstance(x, ch.ModifyPrimaryKey) and not x.renamed_only for x in change.changes
        )
        out: list[Finding] = []
        pk = table.primary_key
        if pk is not None and not pk_changed:
            what = self.rekeyed_columns(t, table, _key_parts(pk), keyed)
            if what:
                keys = [self.key_sql(t, table, p, keyed) for p in _key_parts(pk)]
                out += self.kept_key(t, "The primary key for", what, keys, None, risk.PRIMARY_KEY)
        for idx in table.indexes:
            if not idx.unique or idx in new_keys:
                continue
            what = self.rekeyed_columns(t, table, idx.parts, keyed)
            if not what:
                continue
            kind = "constraint" if idx.constraint or idx.name is None else "index"
            name = f" `{idx.name}`" if idx.name else ""
            columns = "[" + ",".join(idx.columns or ("expression",)) + "]"
            keys = [self.key_sql(t, table, p, keyed) for p in idx.parts]
            where = idx.where.text if idx.where is not None else None
            out += self.kept_key(
                t,
                f"The unique {kind}{name} covering the columns `{columns}` on",
                what,
                keys,
                where,
                risk.NEW_UNIQUE,
                idx.nulls_not_distinct,
            )
        return out

    def kept_key(
        self,
        t: _Table,
        head: str,
        what: str,
        keys: list[str],
        where: str | None,
        code: str,
        nulls_equal: bool = False,
    ) -> list[Finding]:
        dups, examples = self._duplicates(t, keys, where, nulls_equal=nulls_equal)
        if dups == 0:
            return []
        start = f"{head} the `{t.shown}` table"
        if dups is None:
            message = (
                f"{start} is built again under the new {what}. If values become equal under "
                "it, this will fail."
            )
            return [Finding(code, Risk.CAUTION, message, table=t.name, rows=self.rows(t))]
        message = (
            f"{start} cannot be kept under the new {what}: "
            f"{plural(dups, 'value is', 'values are')} shared by more than one row"
            f"{_nulls_equal(nulls_equal)}{risk.example_text(self.key_label(t), examples)}."
        )
        return self.measured(code, Risk.UNEXECUTABLE, message, t, dups, examples)

    def check_constraint(self, t: _Table, expression: str) -> list[Finding]:
        where = breaks(expression)
        n = self.count(t, where)
        if n == 0:
            return []
        if n is None:
            message = (
                f"A check constraint ({expression}) will be added to the `{t.shown}` table. "
                "Rows that break it will make this step fail."
            )
            return [Finding(risk.NEW_CHECK, Risk.CAUTION, message, table=t.name)]
        examples = self.examples(t, where)
        message = (
            f"A check constraint ({expression}) cannot be added to the `{t.shown}` table: "
            f"{plural(n, 'row breaks', 'rows break')} it"
            f"{risk.example_text(self.key_label(t), examples)}."
        )
        return self.measured(risk.NEW_CHECK, Risk.UNEXECUTABLE, message, t, n, examples)

    def enum_values_removed(
        self, name: str, schema: str | None, old: Sequence[str], new: Sequence[str]
    ) -> list[Finding]:
        removed = [v for v in old if v not in new]
        if not removed:
            return []
        values = ", ".join(self.dialect.literal(v) for v in removed)
        total = 0
        examples: tuple[object, ...] = ()
        example_label = ""
        used_in: list[str] = []
        unknown = False
        enum_type = self.dialect.enum_type_name(name, schema)
        for table in self.current.tables:
            for col in table.columns:
                if col.type.rstrip("[]") != enum_type:
                    continue
                t = _Table(table.name, table)
                if col.type.endswith("[]"):
                    # An array of the enum (Prisma's `Role[]`): a row that holds any of the
                    # removed values in it. Only PostgreSQL has enums, hence its syntax.
                    where = f"CAST({self.q(col.name)} AS TEXT[]) && ARRAY[{values}]::TEXT[]"
                else:
                    where = f"CAST({self.q(col.name)} AS TEXT) IN ({values})"
                n = self.count(t, where)
                if n is None:
                    unknown = True
                elif n:
                    total += n
                    used_in.append(f"{plural(n, 'row', 'rows')} in `{t.shown}`.`{col.name}`")
                    if not examples:
                        examples = self.examples(t, where)
                        example_label = risk.example_text(self.key_label(t), examples)
        listed = ",".join(removed)
        if total:
            message = (
                f"The values [{listed}] on the enum `{name}` will be removed, but they are "
                f"still used: {ch.and_list(used_in)}{example_label}."
            )
            return [
                Finding(
                    risk.ENUM_VALUE_REMOVED,
                    Risk.UNEXECUTABLE,
                    message,
                    count=total,
                    examples=examples,
                )
            ]
        if unknown:
            message = (
                f"The values [{listed}] on the enum `{name}` will be removed. If these variants "
                "are still used in the database, this will fail."
            )
            return [Finding(risk.ENUM_VALUE_REMOVED, Risk.CAUTION, message)]
        return []


def _maybe_renamed(table: str, column: str, dropped: list[str]) -> str:
    """The advice for a required column added while others of its table are dropped: it is
    likely one of them renamed, and a rename keeps the values."""
    which = (
        f"`{dropped[0]}`" if len(dropped) == 1 else "one of " + ", ".join(f"`{d}`" for d in dropped)
    )
    return (
        f"If `{column}` is {which} renamed, say so and its values are kept: "
        f"`--rename {table}.{dropped[0] if len(dropped) == 1 else 'OLD'}={column}`, or a "
        "`@renamed from=...` comment in the schema (see the renames in docs/cli.md)."
    )


def _key_parts(pk: PrimaryKey) -> tuple[IndexPart, ...]:
    """A primary key's parts: as written when it has its own order or collation."""
    return pk.parts or tuple(IndexPart(column=c) for c in pk.columns)


def _nulls_equal(nulls_not_distinct: bool) -> str:
    """What a finding about duplicates under a unique key says of its NULLs, if anything."""
    return ", with NULLs equal under NULLS NOT DISTINCT" if nulls_not_distinct else ""


def not_null(column_sql: str) -> str:
    return f"{column_sql} IS NOT NULL"


def is_null(column_sql: str) -> str:
    return f"{column_sql} IS NULL"


def breaks(check_sql: str) -> str:
    """Rows a CHECK rejects: false, not NULL (a CHECK that is NULL passes)."""
    return f"NOT ({check_sql})"


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def plural_rows(n: int) -> str:
    return plural(n, "row", "rows")
