"""What the target engine accepts of a converted schema, found by trying it.

Each table, index, foreign key and view is created in a scratch database of the target
engine, one at a time in a savepoint. A CHECK, default or generated column whose SQL the
target refuses (another engine's function, a cast it does not know) is left out and
reported with the engine's own message; so is an index, foreign key or view. A table that
cannot be created even bare stops the conversion.

The schema returned is the scratch database inspected: the converted schema exactly as the
target engine reads it back, which is what a push compares with after applying it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from trueup.convert import ConversionError
from trueup.engines.base import Dialect, Session
from trueup.model import Column, Schema, Table
from trueup.urls import DatabaseURL

_SAVEPOINT = "trueup_fit"


def fit_schema(
    schema: Schema, dialect: Dialect, url: DatabaseURL, notes: list[str], *, timeout: float
) -> Schema:
    """``schema`` less what ``dialect``'s engine refuses (each refusal added to ``notes``),
    as that engine reads it back. ``url`` is the target: a server engine makes its scratch
    database beside it."""
    session = dialect.scratch(url)
    try:
        session.begin(write=True, timeout=timeout)
        trial = _Trial(session, dialect)
        tables = [trial.table(t, notes) for t in schema.tables]
        for table in tables:
            trial.indexes(table, notes)
        for table in tables:
            trial.foreign_keys(table, notes)
        trial.views(schema, notes)
        return session.inspect()
    finally:
        session.close()


class _Trial:
    def __init__(self, session: Session, dialect: Dialect) -> None:
        self.session = session
        self.dialect = dialect

    def attempt(self, statements: Sequence[str]) -> str | None:
        """Run ``statements`` and keep them; or, if the engine refuses one, undo them all
        and return its message."""
        self.session.execute(f"SAVEPOINT {_SAVEPOINT}")
        try:
            for sql in statements:
                self.session.execute(sql)
        except Exception as exc:  # the engine's own error: it does not accept the SQL
            self.session.execute(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
            self.session.execute(f"RELEASE SAVEPOINT {_SAVEPOINT}")
            return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        self.session.execute(f"RELEASE SAVEPOINT {_SAVEPOINT}")
        return None

    def create(self, table: Table) -> str:
        """The table's ``CREATE TABLE`` alone: with its unique constraints, and with its
        foreign keys where the engine writes them inline (SQLite; PostgreSQL adds them
        after all tables exist, see :meth:`foreign_keys`)."""
        bare = replace(table, indexes=tuple(i for i in table.indexes if i.constraint))
        return self.dialect.render_schema(Schema(tables=(bare,)))[0]

    def drop(self, table: Table) -> str:
        return f"DROP TABLE {self.dialect.quote(table.name)}"

    def table(self, table: Table, notes: list[str]) -> Table:
        """Create ``table`` in the scratch database as far as the engine accepts it."""
        error = self.attempt([self.create(table)])
        if error is None:
            return table
        plain = [_plain(c) for c in table.columns]
        current = replace(table, checks=(), columns=tuple(c for c in plain if c is not None))
        error = self.attempt([self.create(current)])
        if error is not None:
            raise ConversionError(
                f"{self.dialect.label} does not accept the table {table.name}: {error}",
                hint="Nothing was copied. Give the schema for the target with --schema.",
            )
        # Put back one piece at a time what the bare table left out; keep what works.
        for column, bare in zip(table.columns, plain, strict=True):
            if column == bare:
                continue
            current = self._with_column(current, table, column, notes)
        for check in table.checks:
            label = f"{table.name}: CHECK ({check.expression.text})"
            current = self._keep(
                current, replace(current, checks=(*current.checks, check)), label, notes
            )
        return current

    def _with_column(self, current: Table, table: Table, column: Column, notes: list[str]) -> Table:
        """``current`` with ``column`` as ``table`` has it (its default, or the generated
        column itself), in its place among the columns, if the engine accepts it."""
        columns = []
        for c in table.columns:
            have = column if c.name == column.name else current.column(c.name)
            if have is not None:
                columns.append(have)
        wanted = replace(current, columns=tuple(columns))
        where = f"{table.name}.{column.name}"
        if column.generated is not None:
            label = f"{where}: not copied (generated as {column.generated.expression.text})"
        else:
            assert column.default is not None
            label = f"{where}: default {column.default.text} dropped"
        return self._keep(current, wanted, label, notes)

    def _keep(self, current: Table, wanted: Table, label: str, notes: list[str]) -> Table:
        error = self.attempt([self.drop(current), self.create(wanted)])
        if error is None:
            return wanted
        notes.append(f"{label}: {self.dialect.label} refused it ({error})")
        return current

    def indexes(self, table: Table, notes: list[str]) -> None:
        for index in table.indexes:
            if index.constraint:
                continue
            alone = replace(table, indexes=(index,), foreign_keys=())
            error = self.attempt(self.dialect.render_schema(Schema(tables=(alone,)))[1:])
            if error is not None:
                notes.append(f"index {index.name}: not copied ({self.dialect.label}: {error})")

    def foreign_keys(self, table: Table, notes: list[str]) -> None:
        """Foreign keys the engine adds with statements of their own (none on SQLite,
        whose keys came with the table)."""
        for fk in table.foreign_keys:
            alone = replace(table, indexes=(), foreign_keys=(fk,))
            statements = self.dialect.render_schema(Schema(tables=(alone,)))[1:]
            error = self.attempt(statements)
            if error is not None:
                notes.append(
                    f"{table.name}: the foreign key ({', '.join(fk.columns)}) to "
                    f"{fk.ref_table} not copied ({self.dialect.label}: {error})"
                )

    def views(self, schema: Schema, notes: list[str]) -> None:
        """Views in whatever order they go in (one may read another); those that never do
        are reported with the last refusal."""
        pending = list(schema.views)
        errors: dict[str, str] = {}
        while pending:
            progress = False
            for view in list(pending):
                statements = self.dialect.render_schema(Schema(views=(view,)))
                # SQLite checks a view's query only when it is read.
                read = f"SELECT * FROM {self.dialect.quote(view.name)} LIMIT 0"
                error = self.attempt([*statements, read])
                if error is None:
                    pending.remove(view)
                    progress = True
                else:
                    errors[view.name] = error
            if not progress:
                break
        for view in pending:
            notes.append(
                f"view {view.name}: not copied ({self.dialect.label}: {errors[view.name]})"
            )


def _plain(column: Column) -> Column | None:
    """The column without what may be written in the other engine's SQL: no default, and
    no generated column at all (its values are computed, never copied)."""
    if column.generated is not None:
        return None
    return replace(column, default=None)
