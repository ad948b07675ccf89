"""``copy_database``: schema and rows from one database into a new, empty one, of the same
engine or the other (SQLite to PostgreSQL when an app outgrows one file, and back), checked
table by table afterwards.

::

    copy_database(source, target)                  # the source's schema, converted
    copy_database(source, target, declared=schema)  # the app's schema for the target

In order:

1. The source is locked against writes (readers go on) for the whole copy, so that what
   was copied is what is checked at the end. The target must be empty.
2. The schema: the declared one, pushed; or, without one, the source's converted for the
   target engine (:mod:`trueup.convert`, tried in a scratch database) and pushed; or, for
   the same engine, the source's own, created by the import.
3. The rows: an export of the source streams through a pipe into an import of the target
   (no file in between), parents before children, in one transaction on the target.
4. Foreign keys the target checks statement by statement (PostgreSQL) are added after the
   rows are in, so tables that point at each other can be loaded at all.
5. Every table is checked: its row count and a checksum of its rows
   (:mod:`trueup.convert.checksum`), read on both sides.

Steps 2 to 4 are undone if any of them fails: the target is left empty, as it was. The check
runs after the copy is committed; a mismatch leaves the copy for inspection and says so.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from trueup import history
from trueup.copy_check import Outcome, Side, check_tables
from trueup.copy_target import TargetState
from trueup.engines import find_engine, get_dialect
from trueup.errors import ConnectionError, TrueupError, UnsafePlan
from trueup.model import Schema, Table
from trueup.sources.declared import Declared, Source

if TYPE_CHECKING:
    from trueup.engines.base import Dialect, Session
    from trueup.transfer import ExportResult, ImportResult, Progress
    from trueup.urls import DatabaseURL

__all__ = ["CopiedTable", "CopyError", "CopyResult", "copy_database"]

#: Progress for each stage of the copy ("Copying", "Verifying"): given the stage's name, a
#: context in which the stage reports to a :class:`~trueup.transfer.Progress`.
Stages = Callable[[str], AbstractContextManager["Progress"]]
Ignore = Callable[[str], bool] | None


class CopyError(TrueupError):
    """The copy could not be made, or does not match the source."""


@dataclass(frozen=True, slots=True)
class CopiedTable:
    name: str
    rows: int
    checksum: str


@dataclass(frozen=True, slots=True)
class CopyResult:
    tables: tuple[CopiedTable, ...]
    #: Where the target's schema came from: "declared", "converted" or "source" (the same
    #: engine's schema, created as it is).
    schema: str
    #: What changed meaning or was not copied, one line each.
    notes: tuple[str, ...]

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


def copy_database(
    source: DatabaseURL,
    target: DatabaseURL,
    *,
    declared: Declared | Source | Schema | None = None,
    timeout: float = 60.0,
    ignore: Ignore = None,
    progress: Stages | None = None,
) -> CopyResult:
    """Copy the schema and rows of ``source`` into ``target``, which must be empty.
    ``declared`` is the schema for the target (for its engine; a :class:`Source` is read
    once the target is known to be empty, and a missing server database made, since a
    scratch database on the target's server reads it); without it the source's schema is
    used, converted for the target's engine if need be. Raises
    CopyError (or the error of the step that failed) with the target left empty, or, when
    the final check finds a difference, with the copy left in place."""
    stages = progress or _quiet
    if _same_database(source, target):
        raise CopyError(f"--from and --to are the same database ({source}).")
    source_dialect = get_dialect(source.engine, ignore=ignore)
    target_dialect = get_dialect(target.engine, ignore=ignore)
    with _locked_source(source, source_dialect, timeout) as (session, schema):
        state = TargetState.check(target, target_dialect, timeout, CopyError)
        notes: list[str] = find_engine(source.engine).uncopied(session)
        try:
            wanted, how = _target_schema(schema, source, target, declared, notes, timeout)
            staged = _keys_after_load(target, wanted)
            if wanted is not None:
                _push(target, _without_foreign_keys(wanted) if staged else wanted, timeout, ignore)
            exported, imported = _copy_rows(source, target, timeout, ignore, stages)
            state.record(source, wanted, _steps_done(session, source_dialect))
            if staged:
                assert wanted is not None
                _push(target, wanted, timeout, ignore)
        except BaseException as exc:
            problem = state.undo()
            if problem and isinstance(exc, TrueupError):
                exc.hint = (exc.hint + "\n" if exc.hint else "") + problem
            raise
        notes += _copy_notes(source, target, exported, imported)
        outcomes = _check(
            session, source.engine, schema, target, target_dialect, imported, stages, timeout
        )
    return _copy_result(outcomes, how, notes)


def _copy_result(outcomes: list[Outcome], how: str, notes: list[str]) -> CopyResult:
    """The copy's result, or the differences the check found between source and copy."""
    problems = [o.problem for o in outcomes if o.problem]
    if problems:
        raise CopyError(
            "The copy does not match the source:\n" + "\n".join(f"  {p}" for p in problems),
            hint="The copy was committed as it came out, so the differences can be looked at "
            "there. Drop the target and copy again once the cause is fixed (a declared type "
            "that cannot hold the source's values exactly, for instance).",
        )
    tables = tuple(CopiedTable(o.name, o.rows, o.checksum) for o in outcomes)
    return CopyResult(tables, how, tuple(notes))


def _check(
    source_session: Session,
    source_engine: str,
    source_schema: Schema,
    target: DatabaseURL,
    dialect: Dialect,
    imported: ImportResult,
    stages: Stages,
    timeout: float,
) -> list[Outcome]:
    """Every copied table checked, the source read in its locked transaction."""
    try:
        tables = {t.name.lower(): t for t in source_schema.tables}
        source = Side(source_session, source_engine, tables)
        with dialect.connect(target, create=False) as session, stages("Verifying") as bar:
            session.begin(write=False, timeout=timeout)
            copied = {t.name.lower(): t for t in session.inspect().tables}
            copy = Side(session, target.engine, copied)
            bar.start(2 * imported.rows)
            outcomes = check_tables(source, copy, [t.name for t in imported.tables], bar)
            session.rollback()
    except KeyboardInterrupt:
        # Not "nothing was changed": the copy is there, only its check is missing.
        raise CopyError(
            "Interrupted while checking the copy: the copy was made, but not checked.",
            hint="Drop the target and copy again to have it checked.",
        ) from None
    return outcomes


class _Silent:
    def start(self, total: int) -> None:
        pass

    def advance(self, rows: int) -> None:
        pass


@contextmanager
def _quiet(stage: str) -> Iterator[Progress]:
    yield _Silent()


def _same_database(a: DatabaseURL, b: DatabaseURL) -> bool:
    if a.engine != b.engine:
        return False
    if a.path is not None and b.path is not None:
        return os.path.realpath(a.path) == os.path.realpath(b.path)
    return a.dsn == b.dsn


# --- the source -------------------------------------------------------------------------------


@contextmanager
def _locked_source(
    url: DatabaseURL, dialect: Dialect, timeout: float
) -> Iterator[tuple[Session, Schema]]:
    """The source in a transaction that keeps writers out until the copy is checked: the
    push lock (on SQLite the database's write lock), and on PostgreSQL SHARE locks on its
    tables. Readers, the copy's own export among them, go on."""
    if url.path is not None and url.path != ":memory:" and not os.path.exists(url.path):
        raise CopyError(f"There is no database at {url.path}.", hint="Check --from.")
    session = dialect.connect(url, create=False)
    try:
        try:
            session.begin(write=True, timeout=timeout)
        except ConnectionError:
            # A file this user may not write: nobody writes it through this user either.
            session.begin(write=False, timeout=timeout)
        schema = session.inspect()
        names = ", ".join(_qualified(dialect, t) for t in schema.tables)
        lock = find_engine(url.engine).share_lock(names) if schema.tables else None
        if lock is not None:
            try:
                session.execute(lock)
            except Exception as exc:  # no privilege, or the lock timeout
                raise CopyError(
                    f"Cannot lock the tables of {url} against writes: {str(exc).strip()}",
                    hint="Nothing was copied. The copy keeps writers out of the source until "
                    "it is checked; stop the app, and copy as a user that owns the tables.",
                ) from exc
        yield session, schema
    finally:
        session.close()


def _qualified(dialect: Dialect, table: Table) -> str:
    name = dialect.quote(table.name)
    return name if table.schema is None else f"{dialect.quote(table.schema)}.{name}"


def _steps_done(session: Session, dialect: Dialect) -> tuple[dict[str, str], ...]:
    """The data steps the source has run (as its history names them)."""
    done = history.steps_done(session, dialect)
    if not done:
        return ()
    seen: dict[str, dict[str, str]] = {}
    for entry in history.entries(session, dialect):
        for step in entry.data_steps:
            if step.get("hash") in done:
                seen.setdefault(step["hash"], step)
    return tuple(seen.values())


# --- the target's schema -------------------------------------------------------------------


def _target_schema(
    schema: Schema,
    source: DatabaseURL,
    target: DatabaseURL,
    declared: Declared | Source | Schema | None,
    notes: list[str],
    timeout: float,
) -> tuple[Declared | None, str]:
    """What to push into the target before the rows, and where it comes from. None: the
    import creates the source's own schema (same engine, nothing declared)."""
    if isinstance(declared, Schema):
        declared = Declared(declared, path="")
    elif isinstance(declared, Source):
        declared = declared.load()
    if declared is not None:
        # Data steps beside the schema are for data that has not been through them; the
        # source's rows have (those the source ran are recorded as done in the target).
        return replace(declared, steps=()), "declared"
    if source.engine == target.engine:
        return None, "source"
    from trueup.convert import convert_schema
    from trueup.convert.fit import fit_schema

    conversion = convert_schema(schema, source.engine, target.engine)
    notes += conversion.notes
    dialect = get_dialect(target.engine)
    fitted = fit_schema(conversion.schema, dialect, target, notes, timeout=timeout)
    return Declared(fitted, path=""), "converted"


def _keys_after_load(target: DatabaseURL, wanted: Declared | None) -> bool:
    """Whether the target's foreign keys are added after the rows: on an engine that checks
    them statement by statement, so that tables pointing at each other can be loaded."""
    return (
        wanted is not None
        and find_engine(target.engine).capabilities.keys_after_load
        and any(t.foreign_keys for t in wanted.schema.tables)
    )


def _without_foreign_keys(declared: Declared) -> Declared:
    tables = tuple(replace(t, foreign_keys=()) for t in declared.schema.tables)
    return replace(declared, schema=replace(declared.schema, tables=tables))


def _push(target: DatabaseURL, declared: Declared, timeout: float, ignore: Ignore) -> None:
    from trueup.push import push

    try:
        push(target, declared, lock_timeout=timeout, ignore=ignore)
    except UnsafePlan as exc:  # a foreign key added after the rows, which they break
        raise CopyError(
            f"The rows do not fit the target's schema:\n{exc.message}",
            hint="Nothing was copied. Fix the rows in the source (or the schema), then copy again.",
        ) from exc


# --- the rows --------------------------------------------------------------------------------


def _copy_rows(
    source: DatabaseURL, target: DatabaseURL, timeout: float, ignore: Ignore, stages: Stages
) -> tuple[ExportResult, ImportResult]:
    """The rows streamed into the target, with the "Copying" stage's progress."""
    with stages("Copying") as bar:
        try:
            return _stream(source, target, timeout, ignore, bar)
        except (TrueupError, KeyboardInterrupt):
            raise
        except Exception as exc:  # an engine's own error the import let through
            raise CopyError(
                f"The rows could not be copied: {str(exc).strip()}",
                hint="Nothing was copied.",
            ) from exc


def _copy_notes(
    source: DatabaseURL, target: DatabaseURL, exported: ExportResult, imported: ImportResult
) -> list[str]:
    """What the rows' copy did not copy as it was, one line each."""
    notes = []
    if source.engine == target.engine:  # else the conversion noted them as not copied
        notes += [
            f"virtual table {name}: definition copied, rows not (rebuild its content)"
            for name in exported.not_exported
        ]
    notes += [
        f"{child}: {rows} row(s) without their row in {parent}, as in the source"
        for child, parent, rows in imported.orphans
    ]
    return notes


def _stream(
    source: DatabaseURL, target: DatabaseURL, timeout: float, ignore: Ignore, progress: Progress
) -> tuple[ExportResult, ImportResult]:
    """An export of ``source`` read by an import into ``target`` as it is written, through a
    pipe: memory stays flat and nothing is written to disk."""
    from trueup.transfer import export_database, import_database

    read_end, write_end = os.pipe()
    exported: list[ExportResult] = []
    failed: list[BaseException] = []

    def produce() -> None:
        try:
            with open(write_end, "wb", buffering=1 << 16) as out:
                exported.append(export_database(source, out, timeout=timeout, ignore=ignore))
        except BrokenPipeError:
            pass  # the import stopped reading: its own error says why
        except BaseException as exc:
            failed.append(exc)

    thread = threading.Thread(target=produce, name="trueup-copy-export", daemon=True)
    thread.start()
    try:
        with open(read_end, "rb", buffering=1 << 16) as rows:
            imported = import_database(
                target,
                rows,
                f"the export of {source}",
                timeout=timeout,
                ignore=ignore,
                progress=progress,
            )
    except BaseException:
        thread.join()  # the read end is closed: the export stops at its next write
        if failed:  # the export failed first; the import only saw the file end early
            raise failed[0] from None
        raise
    thread.join()
    if failed:
        raise failed[0]
    return exported[0], imported
