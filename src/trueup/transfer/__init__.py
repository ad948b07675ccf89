"""Streaming export and import: every table's rows plus the schema, in trueup's versioned
JSON lines format (:mod:`trueup.transfer.format`, docs/export-format.md).

::

    export_database(url, out)            # out: a binary file; returns ExportResult
    import_database(url, source, "FILE")  # into an empty database or one with the same schema

Both stream: memory stays flat whatever the number of rows. An export reads one consistent
snapshot; an import runs in one transaction that holds the push lock, loads the tables
parents first, checks every count, and commits only when the database ends up with exactly
the file's schema and rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any, Protocol

from trueup.engines import find_engine, get_dialect
from trueup.engines.base import Dialect
from trueup.model import Schema, Table
from trueup.model.json import to_data
from trueup.transfer.engine import Target
from trueup.transfer.format import (
    FORMAT,
    VERSION,
    Header,
    Reader,
    TableCount,
    TableRecord,
    TransferError,
    Writer,
)
from trueup.transfer.order import parents_first
from trueup.urls import DatabaseURL

__all__ = [
    "FORMAT",
    "VERSION",
    "ExportResult",
    "ImportResult",
    "Progress",
    "TransferError",
    "export_database",
    "import_database",
    "verify_export",
]

Ignore = Callable[[str], bool] | None


class Progress(Protocol):
    """Told the number of rows once it is known, then as rows go by."""

    def start(self, total: int) -> None: ...

    def advance(self, rows: int) -> None: ...


class _NoProgress:
    def start(self, total: int) -> None:
        pass

    def advance(self, rows: int) -> None:
        pass


@dataclass(frozen=True, slots=True)
class ExportResult:
    tables: tuple[TableCount, ...]
    not_exported: tuple[str, ...]  # virtual tables: their definition is in the file, no rows

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


@dataclass(frozen=True, slots=True)
class ImportResult:
    tables: tuple[TableCount, ...]
    created: bool  # the schema was created from the file (the database was empty)
    orphans: tuple[tuple[str, str, int], ...]  # (table, parent, rows) without a parent

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


def _ddl(dialect: Dialect, schema: Schema) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The statements for the tables (with their indexes), and those for everything else,
    which an import runs only after the rows are in (triggers must not fire on them)."""
    tables = dialect.render_schema(Schema(tables=schema.tables, enums=schema.enums))
    rest = dialect.render_schema(
        Schema(views=schema.views, triggers=schema.triggers, virtual_tables=schema.virtual_tables)
    )
    return tuple(tables), tuple(rest)


def export_database(
    url: DatabaseURL,
    out: IO[bytes],
    *,
    timeout: float = 60.0,
    ignore: Ignore = None,
    progress: Progress | None = None,
    scratch: str | None = None,
) -> ExportResult:
    """Write the database at ``url`` to ``out``: the schema, then every table's rows,
    parents before children. Tables are read in one snapshot, a batch of rows at a time.
    ``scratch`` is a folder for temporary files (the output's own folder, say): with one,
    large SQLite tables are read by more than one process."""
    from trueup import __version__

    progress = progress or _NoProgress()
    dialect = get_dialect(url.engine, ignore=ignore)
    source = find_engine(url.engine).transfer_source(url, timeout, ignore)
    source.scratch = scratch
    try:
        schema = source.schema
        tables = parents_first(schema.tables)
        counts = tuple(TableCount(t.name, source.count(t)) for t in tables)
        ddl, ddl_after = _ddl(dialect, schema)
        header = Header(VERSION, __version__, url.engine, counts, to_data(schema), ddl, ddl_after)
        writer = Writer(out)
        writer.header(header)
        progress.start(header.rows)
        for table, count in zip(tables, counts, strict=True):
            record = source.record(table)
            writer.table(record)
            written = 0
            for lines, n in source.lines(table, record):
                writer.lines(lines)
                written += n
                progress.advance(n)
            if written != count.rows:  # cannot happen inside one snapshot; never write a lie
                raise TransferError(f"{table.name}: counted {count.rows} rows, read {written}.")
        writer.end(len(counts), header.rows)
        out.flush()
    except source.errors as exc:
        raise TransferError(
            f"Could not read the database {url}: {str(exc).strip()}.",
            hint="Nothing was exported. The user of the URL must be able to read every table "
            "(SELECT); tables that are not the app's can be left out with "
            "TRUEUP_IGNORE_TABLES or ignore_tables in the settings file.",
        ) from exc
    finally:
        source.close()
    names = tuple(v.name for v in schema.virtual_tables)
    return ExportResult(counts, names)


def _counting(rows: Iterable[list[Any]], progress: Progress, seen: list[int]) -> Iterator[Any]:
    n = 0
    for row in rows:
        yield row
        n += 1
        if n % 10_000 == 0:
            progress.advance(10_000)
    progress.advance(n % 10_000)
    seen.append(n)


def _file_schema(dialect: Dialect, header: Header, url: DatabaseURL) -> Schema:
    """The file's schema, read the way trueup reads every schema: its statements run in a
    scratch database of the engine, which is then inspected."""
    session = dialect.scratch(url)
    try:
        for statement in header.ddl + header.ddl_after:
            session.execute(statement)
        return session.inspect()
    except Exception as exc:
        raise TransferError(
            f"The schema in the file cannot be created: {exc}.",
            hint="Nothing was imported. The file may have been edited by hand, or comes from "
            "a newer version of the database engine.",
        ) from exc
    finally:
        session.close()


def import_database(
    url: DatabaseURL,
    source: IO[bytes],
    name: str,
    *,
    timeout: float = 60.0,
    ignore: Ignore = None,
    progress: Progress | None = None,
    replace: bool = False,
) -> ImportResult:
    """Load the export in ``source`` (called ``name`` in messages) into the database at
    ``url``. With ``replace`` (a restore) everything in the database is dropped first, in
    the same transaction.

    An export of the same engine goes into an empty database (its schema is created from
    the file) or one with exactly the file's schema and no rows in those tables. An export
    of another engine goes into a database that already has the tables and columns (push
    the schema first): values are converted by the target's column types.

    Everything happens in one transaction: if a count, a row or the schema does not come
    out right, nothing is changed.
    """
    progress = progress or _NoProgress()
    reader = Reader(source, name)
    header = reader.header()
    same_engine = header.engine == url.engine
    if replace and not same_engine:
        raise TransferError(f"{name} is an export of a {header.engine} database, not {url.engine}.")
    dialect = get_dialect(url.engine, ignore=ignore)
    target = find_engine(url.engine).transfer_target(url, timeout, ignore)
    try:
        # After the target is open: a server engine makes its scratch database beside it.
        wanted = _file_schema(dialect, header, url) if same_engine else None
        current = target.inspect()
        if replace and not current.is_empty:
            _empty(target, current, dialect)
            current = target.inspect()
        created = same_engine and current.is_empty
        if created:
            target.run(header.ddl)
            tables = {t.name: t.name for t in header.tables}
            current = target.inspect()
            after = header.ddl_after
        else:
            if wanted is not None:
                _check_same_schema(current, wanted, dialect, url)
                tables = {t.name: t.name for t in header.tables}
            else:
                tables = _match_tables(current, header, url)
            _check_empty(target, list(tables.values()), url)
            # Triggers would fire on the rows being put back; they come back after.
            after = target.suspend_triggers(current, list(tables.values()))
        live = {t.name: t for t in current.tables}
        progress.start(header.rows)
        _load_rows(reader, header, target, tables, live, url, progress)
        reader.end(header)
        target.run(after)
        _check_counts(target, header, tables)
        orphans = target.violations(list(tables.values()))
        from trueup.diff.differ import diff  # only an import compares schemas

        if wanted is not None and diff(target.inspect(), wanted, dialect.hooks):
            raise TransferError(
                "After the import the database's schema differs from the file's.",
                hint="Nothing was imported. This is a bug in trueup; please report it.",
            )
        target.commit()
    finally:
        target.close()
    return ImportResult(
        header.tables,
        created,
        tuple((child, parent, n) for (child, parent), n in sorted(orphans.items())),
    )


def _load_rows(
    reader: Reader,
    header: Header,
    target: Target,
    tables: dict[str, str],
    live: dict[str, Table],
    url: DatabaseURL,
    progress: Progress,
) -> None:
    """Every table's rows from the file into its table of the target, each table's count
    checked against the header as it ends."""
    same_engine = header.engine == url.engine
    for count in header.tables:
        record = reader.table(count.name)
        table = tables[count.name]
        columns = record.columns if same_engine else _match_columns(record, live[table], url)
        seen: list[int] = []
        rows: Iterable[list[Any]] = _counting(reader.rows(record), progress, seen)
        if not same_engine:  # time stamps in the forms the other engine's apps write
            from trueup.transfer.moments import converted

            rows = converted(rows, record, live[table], columns, url.engine, header.engine)
        target.load(record, rows, table=table, columns=columns, exact=same_engine)
        if seen != [count.rows]:
            if reader.ended:
                raise reader.cut_short(
                    f"the file ends after {sum(seen)} of the {count.rows} rows of {count.name!r}"
                )
            raise reader.fail(
                f"the table {count.name!r} has {sum(seen)} rows; the header says {count.rows}.",
                hint="Nothing was imported. The file is damaged: export the database again.",
            )


def _check_counts(target: Target, header: Header, tables: dict[str, str]) -> None:
    """Each table holds the rows the header counts once the import's last statements ran."""
    for count in header.tables:
        found = target.count(tables[count.name])
        if found != count.rows:
            raise TransferError(
                f"After the import {count.name} holds {found} rows, not {count.rows}.",
                hint="Nothing was imported. A trigger or a conflict clause (OR IGNORE, OR "
                "REPLACE) of the database may have changed the rows.",
            )


def _empty(target: Target, current: Schema, dialect: Dialect) -> None:
    """Drop everything, as ``push --force-reset`` does: the reset's drops, planned by the
    engine, run inside the import's transaction."""
    from trueup.diff.differ import reset_changes

    empty = Schema(namespaces=current.namespaces)
    changes = reset_changes(current, empty, dialect.hooks)
    target.run([step.sql for step in dialect.plan(changes, current, empty).steps])


def verify_export(source: IO[bytes], name: str) -> Header:
    """Read a whole export without a database: the header, every table's rows and the end
    record, checking the structure and the counts. Memory stays flat."""
    reader = Reader(source, name)
    header = reader.header()
    for count in header.tables:
        record = reader.table(count.name)
        n = sum(1 for _ in reader.rows(record))
        if n != count.rows:
            if reader.ended:
                raise reader.cut_short(
                    f"the file ends after {n} of the {count.rows} rows of {count.name!r}"
                )
            raise reader.fail(
                f"the table {count.name!r} has {n} rows; the header says {count.rows}."
            )
    reader.end(header)
    return header


def _match_tables(current: Schema, header: Header, url: DatabaseURL) -> dict[str, str]:
    """For an export of another engine: the database's table for each of the file's
    (same name, case aside). Every table must be there already."""
    by_key = {t.name.lower(): t.name for t in current.tables}
    missing = [t.name for t in header.tables if t.name.lower() not in by_key]
    if missing:
        raise TransferError(
            f"The database {url} has no table {', '.join(missing[:5])}"
            + (" and more" if len(missing) > 5 else "")
            + f"; the file is an export of a {header.engine} database.",
            hint="Nothing was imported. Push the schema to this database first (trueup push "
            "with a schema for this engine), then import.",
        )
    return {t.name: by_key[t.name.lower()] for t in header.tables}


def _match_columns(record: TableRecord, table: Table, url: DatabaseURL) -> tuple[str, ...]:
    by_key = {c.name.lower(): c.name for c in table.columns if c.generated is None}
    missing = [c for c in record.columns if c.lower() not in by_key]
    if missing:
        raise TransferError(
            f"The table {table.name} of {url} has no column {', '.join(missing)}.",
            hint="Nothing was imported. Push a schema with the same columns first.",
        )
    return tuple(by_key[c.lower()] for c in record.columns)


def _change_name(change: object) -> str:
    """``AddTable users``: the kind of a change and the object it is about."""
    kind = type(change).__name__
    for attr in ("table", "new", "view", "trigger", "enum", "old"):
        obj = getattr(change, attr, None)
        name = getattr(obj, "name", None)
        if isinstance(name, str):
            return f"{kind} {name}"
    return kind


def _check_same_schema(current: Schema, wanted: Schema, dialect: Dialect, url: DatabaseURL) -> None:
    from trueup.diff.differ import diff

    changes = diff(current, wanted, dialect.hooks)
    if changes:
        listed = "\n".join(f"    {_change_name(c)}" for c in changes[:10])
        if len(changes) > 10:
            listed += f"\n    ... and {len(changes) - 10} more"
        raise TransferError(
            f"The database {url} is not empty and its schema differs from the file's "
            f"(changes that would make the database match the file):\n{listed}",
            hint="Nothing was imported. Import into an empty database, or into one with the "
            "same schema (push the schema the export was made from first).",
        )


def _check_empty(target: Target, tables: list[str], url: DatabaseURL) -> None:
    full = [t for t in tables if target.has_rows(t)]
    if full:
        raise TransferError(
            f"The database {url} already holds rows in {', '.join(full[:5])}"
            + (" and more" if len(full) > 5 else "")
            + ".",
            hint="Nothing was imported. An import only fills empty tables, so that the "
            "result is exactly the file; import into a new database instead.",
        )
