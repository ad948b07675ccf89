"""The conformance cases against the real Prisma CLI: which schema on which engine with which
Prisma, and one run of a case (Prisma and trueup each build a database from the schema;
Prisma pushes the schema again onto trueup's database).

Runs of different cases are independent (their own files or databases), so the suite runs
them in worker threads, ahead of the tests that check them: a Prisma invocation is a
second or two of Node starting up, and most of a case is waiting for it.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import traceback
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from tests.postgres.support import Server
from tests.prisma import prisma_cli
from trueup.engines import get_dialect
from trueup.model import Schema
from trueup.push import push
from trueup.sources import load_schema
from trueup.urls import parse_url

SQLITE = "sqlite"
POSTGRESQL = "postgresql"

CORPUS = Path(__file__).parent / "corpus"
#: Written for SQLite, run on both engines (on PostgreSQL with the provider swapped).
BOTH = [*sorted((CORPUS / "sqlite").iterdir()), *sorted((CORPUS / "conformance").glob("*.prisma"))]
#: What only PostgreSQL has: native types, lists, enum types, index types, schemas.
POSTGRES_ONLY = sorted((CORPUS / "conformance" / "postgresql").glob("*.prisma"))
#: Only SQLite: SQL in dbgenerated("…") that PostgreSQL would not take, and the like.
SQLITE_ONLY = sorted((CORPUS / "conformance" / "sqlite").glob("*.prisma"))

_PARTIAL_UNIQUE = (
    "Prisma 7.10.1 never finds a unique index with a `where` in sync: every push adds it "
    "again, with a data loss warning"
)
#: Cases where Prisma does not find even the database it just made in sync: it rebuilds
#: something on every push. For these, Prisma on trueup's database must do what it does
#: on its own (and the test says so when Prisma stops doing it).
PRISMA_NEVER_IN_SYNC: dict[tuple[str, str], str] = {
    ("attributes", SQLITE): 'Prisma reads dbgenerated("(1 + 2)"), Bytes defaults and '
    'Unsupported("CIRCLE") back differently from how it declares them',
    ("prisma_unsettled", SQLITE): 'Prisma reads dbgenerated("…") and Bytes defaults back '
    "differently from how it declares them",
    ("prisma_unsettled", POSTGRESQL): "Prisma reads back some dbgenerated() SQL, BigInt and "
    "Float list defaults and raw() operator classes differently from how it declares them",
    ("extensions", POSTGRESQL): "Prisma runs CREATE EXTENSION IF NOT EXISTS on every push",
    ("partial_indexes", SQLITE): _PARTIAL_UNIQUE,
    ("partial_indexes", POSTGRESQL): _PARTIAL_UNIQUE,
    ("partial_indexes_postgres", POSTGRESQL): _PARTIAL_UNIQUE,
}
#: Of those, the cases where Prisma's push onto its own database fails: it wants to make
#: again what is there, and asks for --accept-data-loss. On trueup's it must fail alike.
PRISMA_FAILS_ON_ITS_OWN = frozenset(
    {
        ("partial_indexes", SQLITE),
        ("partial_indexes", POSTGRESQL),
        ("partial_indexes_postgres", POSTGRESQL),
    }
)


#: "// prisma: 7" at the top of a corpus file: the Prisma majors it runs on (a feature
#: only these know). Without it, a case runs on every major.
MAJORS = re.compile(r"^// prisma: (\d+(?:, *\d+)*)$", re.MULTILINE)


@dataclass(frozen=True)
class Case:
    schema: Path  # a corpus file, or a folder of files (a multi-file schema)
    engine: str
    prisma: prisma_cli.Prisma = prisma_cli.PRISMA6

    @property
    def name(self) -> str:
        return self.schema.stem

    @property
    def id(self) -> str:
        return f"{self.name}-{self.engine}-prisma{self.prisma.major}"

    @property
    def prisma_in_sync_with_itself(self) -> bool:
        return (self.name, self.engine) not in PRISMA_NEVER_IN_SYNC

    @property
    def prisma_fails_on_its_own(self) -> bool:
        return (self.name, self.engine) in PRISMA_FAILS_ON_ITS_OWN


def majors(schema: Path) -> tuple[int, ...]:
    """The Prisma majors a corpus schema runs on (its "// prisma:" line), else all."""
    text = schema.read_text() if schema.is_file() else ""
    found = MAJORS.search(text)
    if found is None:
        return tuple(p.major for p in prisma_cli.VERSIONS)
    return tuple(int(n) for n in found.group(1).split(","))


def full_run() -> bool:
    """``TRUEUP_CONFORMANCE=full`` (scripts/conformance): every case with every Prisma.
    The default suite runs each schema on each engine once, the Prisma majors taking
    turns, so that each schema, each engine and each major is checked by the real CLI in
    every run, at half the cost."""
    return os.environ.get("TRUEUP_CONFORMANCE", "").strip().lower() == "full"


def prismas_for(schema: Path, turn: int, full: bool) -> list[prisma_cli.Prisma]:
    """The Prismas ``schema`` runs on: each it takes (``full``), or one of them, chosen by
    ``turn`` (its place in the list), so that the majors take turns down the list."""
    able = [p for p in prisma_cli.VERSIONS if p.major in majors(schema)]
    return able if full or not able else [able[turn % len(able)]]


def cases(full: bool | None = None) -> list[Case]:
    """The conformance cases: all of them when ``full`` (None: as :func:`full_run` says)."""
    full = full_run() if full is None else full
    on_engine = [
        *((s, SQLITE) for s in [*BOTH, *SQLITE_ONLY]),
        *((s, POSTGRESQL) for s in [*BOTH, *POSTGRES_ONLY]),
    ]
    chosen = [
        Case(schema, engine, prisma)
        for turn, (schema, engine) in enumerate(on_engine)
        for prisma in prismas_for(schema, turn, full)
    ]
    # By Prisma first, as the full run has always listed them.
    return sorted(chosen, key=lambda c: prisma_cli.VERSIONS.index(c.prisma))


def materialise(case: Case, folder: Path) -> Path:
    """The case's schema in ``folder`` for the case's engine and Prisma: for Prisma 6 its
    URL read from $DATABASE_URL, which the runs set; Prisma 7 takes the URL from its
    config only, and refuses one in the schema."""
    target = folder / case.schema.name
    if case.schema.is_dir():
        shutil.copytree(case.schema, target)
        files = sorted(target.iterdir())
    else:
        shutil.copy(case.schema, target)
        files = [target]
    for f in files:
        # Line ends as written: some cases are about them.
        with open(f, encoding="utf-8", newline="") as read:
            text = read.read().replace('"file:./dev.db"', 'env("DATABASE_URL")')
        if case.engine == POSTGRESQL:
            text = re.sub(r'provider(\s*)= "sqlite"', r'provider\1= "postgresql"', text)
        with open(f, "w", encoding="utf-8", newline="") as write:
            write.write(case.prisma.schema_text(text))
    return target


@dataclass
class Outcome:
    """What one run of a case found. The schemas are read before Prisma pushes onto
    trueup's database, so a change Prisma makes there cannot hide a difference."""

    schema: Path
    prisma_db: Path | str
    trueup_db: Path | str
    pushed: prisma_cli.Result | None = None  # Prisma into an empty database
    by_prisma: Schema | None = None
    trueup_error: str | None = None  # the traceback, when trueup's push failed
    by_trueup: Schema | None = None
    on_trueup: prisma_cli.Result | None = None  # Prisma again, onto trueup's database
    again: prisma_cli.Result | None = None  # Prisma again, onto its own database
    #: SQLite: the statements each database keeps, (Prisma's, trueup's); see stored_sql.
    stored: tuple[dict[str, str], dict[str, str]] | None = None
    cleanups: list[Callable[[], None]] = field(default_factory=list)

    def cleanup(self) -> None:
        while self.cleanups:
            self.cleanups.pop()()


def inspect(url: Path | str, namespaces: tuple[str, ...]) -> Schema:
    parsed = parse_url(str(url))
    with get_dialect(parsed.engine).connect(parsed, create=False) as session:
        if namespaces:
            session.manage(namespaces)
        return session.inspect()


def stored_sql(database: Path | str) -> dict[str, str]:
    """The ``CREATE`` statement SQLite keeps for each table and index of a database (by
    kind and name; trueup's own tables left out), as SQLite stores it: byte for byte."""
    with closing(sqlite3.connect(str(database))) as conn:
        rows = conn.execute("SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL")
        return {f"{kind} {name}": sql for kind, name, sql in rows if not name.startswith("_trueup")}


def run_case(case: Case, folder: Path, server: Server | None) -> Outcome:
    """Prisma pushes the schema into one empty database and trueup into another; both are
    read; then Prisma pushes onto trueup's database (and, where Prisma is known not to
    settle, onto its own again)."""
    folder.mkdir(parents=True, exist_ok=True)
    schema = materialise(case, folder)
    # "// setup: SQL" lines at the top of a schema run in both databases first.
    setup = (
        re.findall(r"^// setup: (.+)$", schema.read_text(), re.MULTILINE)
        if schema.is_file()
        else []
    )
    outcome: Outcome
    if case.engine == SQLITE:
        outcome = Outcome(schema, folder / "prisma.db", folder / "trueup.db")
    else:
        assert server is not None, "PostgreSQL cases need a server"
        made_by_prisma = server.create_database()
        outcome = Outcome(schema, made_by_prisma.url, "")
        outcome.cleanups.append(lambda: server.drop_database(made_by_prisma))
        made_by_trueup = server.create_database()
        outcome.trueup_db = made_by_trueup.url
        outcome.cleanups.append(lambda: server.drop_database(made_by_trueup))
        for db in (made_by_prisma, made_by_trueup):
            for statement in setup:
                db.execute(statement)
    try:
        outcome.pushed = case.prisma.db_push(schema, outcome.prisma_db)
        url = parse_url(str(outcome.trueup_db))
        declared = load_schema(str(schema), case.engine, url=url)
        namespaces = declared.schema.namespaces
        if outcome.pushed.code == 0:
            outcome.by_prisma = inspect(outcome.prisma_db, namespaces)
        try:
            push(url, declared)
        except Exception:
            outcome.trueup_error = traceback.format_exc()
            return outcome
        outcome.by_trueup = inspect(outcome.trueup_db, namespaces)
        if case.engine == SQLITE:
            outcome.stored = (stored_sql(outcome.prisma_db), stored_sql(outcome.trueup_db))
        outcome.on_trueup = case.prisma.db_push(schema, outcome.trueup_db)
        if not case.prisma_in_sync_with_itself:
            outcome.again = case.prisma.db_push(schema, outcome.prisma_db)
    except BaseException:
        outcome.cleanup()
        raise
    return outcome
