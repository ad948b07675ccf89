"""What every engine provides: a way in (sessions), its answers to the differ (hooks), a
planner, and a renderer. The rest of trueup talks to engines only through these."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only: a session must not pull in the differ or the model
    from trueup.diff.changes import Change
    from trueup.diff.differ import DiffHooks
    from trueup.engines.probes import ProbeSQL
    from trueup.engines.source_hooks import SourceHooks
    from trueup.model import Column, Schema, Table
    from trueup.plan import Plan
    from trueup.urls import DatabaseURL


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What an engine is and can do, as data the core reads instead of engine names."""

    #: Indexes can be built without blocking writes, after the push's transaction
    #: (``--concurrent-indexes``); otherwise they are built in it.
    concurrent_indexes: bool
    #: A database is one file, made by the first connection to it: a URL may be a plain
    #: path, and messages name the file.
    file_database: bool
    #: Foreign keys are checked at the end of each statement: tables that point at each
    #: other cannot be loaded one after the other with their keys in place, so a copy adds
    #: the keys after the rows.
    keys_after_load: bool
    #: Tables may point at tables of other schemas (namespaces); a conversion to an engine
    #: without them leaves such keys out.
    namespaces: bool


@dataclass(frozen=True, slots=True)
class StatementError:
    """Where in a statement an engine located an error, and its message."""

    message: str
    offset: int | None = None


@dataclass(frozen=True, slots=True)
class Grant:
    """A privilege held on an object or a column; ``grantee`` None is PUBLIC."""

    privilege: str
    grantee: str | None
    grantable: bool = False


@dataclass(frozen=True, slots=True)
class ColumnExtras:
    """A column's own privileges and comment (see :class:`ObjectExtras`)."""

    name: str
    comment: str | None = None
    privileges: tuple[Grant, ...] = ()


@dataclass(frozen=True, slots=True)
class IndexExtras:
    """An index of a materialized view: its name, its definition as the catalog writes it
    (``pg_get_indexdef``), its comment and the columns of the view it reads."""

    name: str
    definition: str
    comment: str | None = None
    columns: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ObjectExtras:
    """What an object has in the database besides what the schema model holds: its owner,
    privileges, comment, options and (a materialized view's) indexes. trueup does not
    manage these (neither side of a diff has them), but the engine drops them with the
    object, so a plan that drops an object and makes it again must give them back.

    ``owner`` is None when it is the role that pushes (a new object's owner anyway).
    ``privileges`` are those the object has; ``new_privileges`` those it would have when
    made now by the pushing role (its default privileges) once its owner is set back: the
    difference is granted and revoked."""

    owner: str | None = None
    privileges: tuple[Grant, ...] = ()
    new_privileges: tuple[Grant, ...] = ()
    comment: str | None = None
    options: tuple[str, ...] = ()
    columns: tuple[ColumnExtras, ...] = ()
    indexes: tuple[IndexExtras, ...] = ()


#: The extras of a database's objects by (kind, schema, name): kind ``"relation"`` (a view
#: or materialized view) or ``"type"`` (an enum); schema None is the default one. Objects
#: with nothing to give back are left out.
Extras = Mapping[tuple[str, str | None, str], ObjectExtras]
NO_EXTRAS: Extras = {}


class Session(ABC):
    """One connection to one database, used by one push, inspect or diff."""

    url: DatabaseURL | None
    #: Whether inspecting mostly waits on a server: a push then reads the declared schema
    #: while the database is inspected. An embedded engine's inspection is all this
    #: process's own work, which a second thread would not speed up.
    inspects_remotely: bool = False
    #: Whether opening the session made the database (``connect(create=True)`` on a
    #: database that did not exist): a first push that fails removes it again.
    created: bool = False

    @abstractmethod
    def inspect(self) -> Schema: ...

    @abstractmethod
    def begin(self, *, write: bool, timeout: float) -> None:
        """Start the transaction. ``write`` takes the lock that keeps two pushes apart;
        waiting for it ends with LockTimeout after ``timeout`` seconds."""

    @abstractmethod
    def execute(self, sql: str) -> None: ...

    @abstractmethod
    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def rollback(self) -> None: ...

    @abstractmethod
    def savepoint(self) -> AbstractContextManager[None]:
        """A savepoint around a block of the open transaction: when the block raises, what
        it did is undone and the transaction goes on (PostgreSQL would otherwise refuse
        every statement after a failed one), and the error propagates."""

    @abstractmethod
    def close(self) -> None: ...

    def manage(self, namespaces: Sequence[str]) -> None:  # noqa: B027 - optional hook
        """Read these schemas (namespaces) too, besides the default one. Engines without
        namespaces ignore it."""

    def managed(self) -> tuple[str, ...]:
        """The schemas read besides the default one (see :meth:`manage`)."""
        return ()

    def place(self, namespace: str | None) -> str | None:
        """Where declared DDL run in this session puts what it declares in ``namespace``
        (None: the default one): a scratch session that stands in other schemas for the
        declared ones (see :meth:`Dialect.scratch_in_place`) names them; any other, the
        same."""
        return namespace

    def schema_digest(self) -> str | None:
        """A hash of the schema as the engine stores it, cheap to read (SQLite: the rows of
        ``sqlite_schema``; PostgreSQL: its catalogs), trueup's own objects left out; None
        when there is no cheap way. Any change the inspector could see must change it."""
        return None

    def extras(self, current: Schema) -> Extras:
        """What the objects of ``current`` (the schema this session inspected) have besides
        what the model holds (see :class:`ObjectExtras`), read in the open transaction.
        Engines that drop nothing of the kind with an object report none."""
        return NO_EXTRAS

    def unusable_references(self) -> list[tuple[str, str]]:
        """(child, parent) for every foreign key the engine accepted in a CREATE but cannot
        enforce, because the parent table does not exist or its columns are neither its
        primary key nor unique (SQLite then refuses every write to the child). Engines
        that refuse such a key when it is made (PostgreSQL) report none here."""
        return []

    # --- what a data step works on (see trueup.steps) -----------------------------------

    def relation_names(self) -> frozenset[str]:
        """The tables and views the database holds now (trueup's own left out), named as
        :meth:`run_tracked` names them."""
        return frozenset()

    def run_tracked(self, sql: str) -> frozenset[str]:
        """Run ``sql`` as :meth:`execute` does; return the tables and views it read or
        wrote, as the engine itself resolved them."""
        self.execute(sql)
        return frozenset()

    def probe(self, sql: str) -> frozenset[str]:
        """The tables and views ``sql`` would read or write, found without keeping
        anything of it; empty when the engine cannot tell (or the statement cannot run)."""
        return frozenset()

    def missing_table(self, error: Exception) -> str | None:
        """The table the engine's ``error`` says does not exist, when that is what it says."""
        return None

    def constraint_violations(self, tables: Sequence[str]) -> Counter[tuple[str, str]]:
        """Rows breaking foreign keys in ``tables``, counted per (table, parent). Engines
        that check constraints as statements run (PostgreSQL) report none here."""
        return Counter()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Dialect(ABC):
    name: str
    label: str  # the engine's name as people write it
    capabilities: Capabilities
    hooks: DiffHooks
    source_hooks: SourceHooks  # what the declared sources ask of the engine

    @abstractmethod
    def connect(self, url: DatabaseURL, *, create: bool) -> Session:
        """Open the database. With ``create`` a missing database is made (the session's
        ``created`` says so); without it a missing database is an error that says so."""

    def database_missing(self, url: DatabaseURL) -> bool:
        """Whether the database does not exist yet and ``connect(create=True)`` would make
        it, as far as can be told without a server (a SQLite file that is not there, in a
        folder that is); False when that takes a connection."""
        return False

    def remove_created(self, url: DatabaseURL) -> None:  # noqa: B027 - optional hook
        """Remove the database a push made (``Session.created``) and then failed in, as
        long as it still holds nothing: a first push that fails leaves nothing behind."""

    @abstractmethod
    def scratch(self, url: DatabaseURL | None = None) -> Session:
        """An empty throwaway database, for running declared DDL. ``url`` is the database
        the schema is for: an engine with a server makes the scratch database there."""

    def scratch_in_place(self, url: DatabaseURL, namespaces: Sequence[str]) -> Session | None:
        """A scratch session in the database of ``url`` itself, where what declared SQL
        names of the database's own (its functions, types, sequences) is at hand: a
        transaction that is always rolled back, in schemas of its own that stand in for
        the default one and ``namespaces`` (see :meth:`Session.place`). None where the
        engine or the database cannot have one: then use :meth:`scratch`."""
        return None

    @abstractmethod
    def split_statements(self, sql: str) -> list[tuple[int, str]]:
        """Split a script into statements, each with its offset in the script."""

    def unmanaged_statement(self, words: list[str], statement: str) -> str | None:
        """What a schema file's ``statement`` (its first words, upper-cased, in ``words``)
        declares that this engine's model has no place for, in words for a message; None
        when trueup manages it. Such a statement is refused: run into the scratch database
        and then never made nor compared, it would leave the database unlike the file
        while trueup said it was in sync."""
        return None

    @abstractmethod
    def locate_error(self, statement: str, error: Exception) -> StatementError:
        """Where in ``statement`` the engine's ``error`` points, as well as it can tell."""

    @abstractmethod
    def is_narrowing(self, old_type: str, new_type: str) -> bool:
        """Whether changing a column from ``old_type`` to ``new_type`` may not keep every
        value as it is."""

    def checks_type_change(self, old: Column, new: Column, table: Table) -> bool:
        """Whether the values of ``old`` must be checked when it becomes ``new`` in
        ``table`` (the table as it will be): when the type change is narrowing, unless the
        engine knows more from the table."""
        return self.is_narrowing(old.type, new.type)

    # --- what the data checks need ---------------------------------------------------------

    @abstractmethod
    def quote(self, name: str) -> str:
        """An identifier, quoted for this engine (the one place names enter SQL)."""

    @abstractmethod
    def literal(self, value: str) -> str:
        """A string literal for this engine."""

    @abstractmethod
    def row_key(self, table: Table) -> tuple[str, ...]:
        """SQL expressions that identify a row of ``table`` (its primary key, else the
        engine's row id), to name example rows in findings."""

    @abstractmethod
    def unconvertible(
        self,
        column_sql: str,
        old: Column,
        new: Column,
        *,
        trial: bool = False,
        table: Table | None = None,
    ) -> str | None:
        """A condition true for the values of ``column_sql`` that would not convert to the
        new column's type unchanged, or None when the engine cannot tell. ``trial`` says
        that ``prepare_checks`` made a trial cast available in this session; ``table`` is
        the table as it will be, when known."""

    def kept_as_other_class(self, column_sql: str, new: Column, table: Table) -> str | None:
        """A condition for the values the type change keeps as they are although they are
        not of the new type (an engine that stores a value of any type in any column), or
        None when there are none."""
        return None

    def prepare_checks(self, session: Session) -> bool:
        """Make what the data checks need in the session's transaction (a trial-cast
        function); False when there is nothing to make or it cannot be made."""
        return False

    @abstractmethod
    def probes(self, trial: Callable[[], bool]) -> ProbeSQL:
        """The data checks' queries, written in this engine's SQL. ``trial``, asked when a
        condition needs it, says whether ``prepare_checks`` made a trial cast available."""

    def uncastable(
        self, column_sql: str, old: Column, new: Column, table: Table, *, trial: bool = False
    ) -> str | None:
        """Among the values ``unconvertible`` names, a condition for those that make the
        statement fail (rather than being kept or changed), or None when none can. By
        default every value that does not convert is taken to fail."""
        return self.unconvertible(column_sql, old, new, trial=trial)

    def key_value(
        self, column_sql: str, old: Column, new: Column, collation: str | None, table: Table
    ) -> str:
        """``column_sql``, a value of ``old``, as a key over ``new`` in ``table`` (the table
        as it will be) compares it: converted to the new type, under ``collation`` (the key
        part's own, else the new column's; None for the type's default). The checks group
        by it to find values that become equal under a unique key. By default the value is
        cast to the new type (what PostgreSQL's type change does), and a column whose
        collation goes back to the default is compared under the default one."""
        value = column_sql
        if old.type != new.type:
            value = f"CAST({column_sql} AS {new.type})"
        if collation is not None:
            return f"{value} COLLATE {self.quote(collation)}"
        if old.collation is not None and value == column_sql:
            return f"{value} COLLATE {self.quote('default')}"
        return value

    # --- trueup's own bookkeeping tables --------------------------------------------------

    #: How a query marks a parameter (the driver's paramstyle).
    placeholder = "?"

    def table_exists_sql(self) -> str:
        """A query with one parameter (a table or view name) that returns a row when it
        exists in the managed schema."""
        return (
            "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() "
            f"AND table_name = {self.placeholder}"
        )

    def enum_type_name(self, name: str, schema: str | None) -> str:
        """How a column's type names the enum ``name`` in the model."""
        return self.quote(name) if schema is None else f"{self.quote(schema)}.{self.quote(name)}"

    @abstractmethod
    def auto_filled(self, table: Table, column: Column) -> bool:
        """Whether the engine fills ``column`` of existing rows by itself when it is added
        (a rowid alias, a serial or identity column)."""

    @abstractmethod
    def plan(
        self,
        changes: Sequence[Change],
        current: Schema,
        desired: Schema,
        extras: Extras = NO_EXTRAS,
    ) -> Plan:
        """The statements that make ``current`` into ``desired``. ``extras`` are what the
        objects of ``current`` have besides the model (``Session.extras``): an object the
        plan drops and makes again gets them back."""

    @abstractmethod
    def render_schema(self, schema: Schema) -> list[str]:
        """The schema as the statements that would create it."""

    @abstractmethod
    def script(self, plan: Plan) -> str:
        """The plan as a SQL script someone could run by hand, with its transaction."""
