"""One differential case: a schema, Prisma's verdict and trueup's, and for a schema both
accept, the databases each builds from it. The first difference found is the case's
:class:`Finding`; None when trueup did what Prisma did.

In order: both accept or both reject (and a rejection points at a line Prisma points at);
both warn alike; both push into an empty database or both fail to; the two databases
inspect equal; trueup finds Prisma's database in sync; Prisma finds trueup's in sync
(where Prisma does not settle even on its own database, it does the same on both).
"""

from __future__ import annotations

import re
import tempfile
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.postgres.support import Server
from tests.prisma.conformance import inspect
from tests.prisma.fuzz.compare import changes_gist, where_different
from tests.prisma.fuzz.oracle import Files, Oracle, Verdict, write_files
from trueup.diff.differ import diff
from trueup.engines import get_dialect
from trueup.errors import SchemaError
from trueup.push import push
from trueup.sources.declared import Declared
from trueup.sources.prisma import load_prisma, read_data_model, read_sources
from trueup.urls import parse_url


@dataclass(frozen=True)
class Finding:
    category: str  # what kind of difference
    detail: str  # its gist, names and numbers left out: the same for the same cause
    prisma: str  # what Prisma said or did
    trueup: str  # what trueup said or did
    #: What else must stay the same while the schema is made smaller (Prisma's reason,
    #: where the difference is in trueup's).
    also: str = ""

    @property
    def signature(self) -> str:
        return f"{self.category}: {self.detail}"


def gist(text: str) -> str:
    """A message without its particulars (names, numbers, places), so that one cause
    gives one gist."""
    line = next((x for x in text.strip().splitlines() if x.strip()), "")
    line = re.sub(r"\S+:\d+:\d+: ", "", line)  # a place in a file (temporary folders vary)
    line = re.sub(r"\berror: ", "", line)
    # Quoted names go; quoted punctuation (an unexpected `/`) is the gist itself.
    line = re.sub(
        r'"[^"]*"|`[^`]*`|\'[^\']*\'', lambda m: m[0] if not re.search(r"\w", m[0]) else "…", line
    )
    line = re.sub(r"\d+", "N", line)
    return line[:160]


class Databases:
    """Empty databases for a case, of one engine: SQLite files in a temporary folder, or
    databases on a PostgreSQL server."""

    def __init__(self, provider: str, server: Server | None = None) -> None:
        self.provider = provider
        self.server = server

    @contextmanager
    def pair(self) -> Iterator[tuple[str, str]]:
        """Two empty databases, as URLs: Prisma's and trueup's."""
        if self.server is None:
            with tempfile.TemporaryDirectory(prefix="trueup-fuzz-db-") as folder:
                yield f"file:{folder}/prisma.db", f"file:{folder}/trueup.db"
            return
        made = [self.server.create_database(), self.server.create_database()]
        try:
            yield made[0].url, made[1].url
        finally:
            for db in made:
                self.server.drop_database(db)

    def env(self, url: str | None = None) -> dict[str, str]:
        """The environment a schema is read with (its ``env("DATABASE_URL")``)."""
        if url is None and self.server is not None:
            url = self.server.url
        elif url is None:  # verdicts only: a URL of the provider's kind, never connected to
            url = "file:./unused.db" if self.provider == "sqlite" else "postgresql://localhost/x"
        return {"DATABASE_URL": url}


def trueup_target(url: str) -> str:
    """trueup takes a SQLite database as a path."""
    return url.removeprefix("file:")


def check(
    oracle: Oracle,
    files: Files,
    dbs: Databases,
    *,
    databases: bool = True,
    stages: dict[str, int] | None = None,
) -> Finding | None:
    """Run one case; ``databases``: compare the pushes too (where the oracle can push).
    ``stages`` counts how far cases get: valid to Prisma, accepted by both, compared as
    databases."""
    stages = {} if stages is None else stages

    def reached(stage: str) -> None:
        stages[stage] = stages.get(stage, 0) + 1

    with tempfile.TemporaryDirectory(prefix="trueup-fuzz-") as folder:
        path = str(write_files(Path(folder), files))
        env = dbs.env()
        verdict = oracle.validate(files, env)
        refusal = _trueup_refusal(path, env)
        if verdict.valid:
            reached("valid to Prisma")
        found = _verdicts(verdict, refusal)
        if found is not None or not verdict.valid:
            return found
        reached("accepted by both")
        can_push = getattr(oracle, "can_push", True)
        if not databases or not can_push:
            return None
        with dbs.pair() as (prisma_url, trueup_url):
            found = _databases(oracle, files, path, dbs, prisma_url, trueup_url)
        if found is None or found.category != "trueup-push-fails":
            reached("pushed by both")
        return found


def _trueup_refusal(path: str, env: dict[str, str]) -> SchemaError | Exception | None:
    try:
        read_data_model(read_sources(path), env)
    except SchemaError as exc:
        return exc
    except Exception as exc:  # a crash is a finding of its own
        return exc
    return None


def _verdicts(verdict: Verdict, refusal: Exception | None) -> Finding | None:
    if refusal is not None and not isinstance(refusal, SchemaError):
        trace = "".join(traceback.format_exception(refusal))
        return Finding(
            "trueup-crashes", gist(f"{type(refusal).__name__}: {refusal}"), _said(verdict), trace
        )
    if verdict.valid and refusal is not None:
        return Finding("trueup-rejects", gist(str(refusal)), "valid", str(refusal))
    if not verdict.valid and refusal is None:
        return Finding("trueup-accepts", gist(verdict.errors), verdict.errors, "valid")
    if isinstance(refusal, SchemaError) and refusal.location is not None and verdict.locations:
        where = (Path(refusal.location.path).name, refusal.location.line)
        if where not in verdict.locations and where[1] not in {n for _, n in verdict.locations}:
            # Keyed on trueup's reason: one cause of trueup's, whatever Prisma objects to.
            return Finding(
                "reject-elsewhere",
                gist(str(refusal)),
                _said(verdict),
                str(refusal),
                gist(verdict.errors),
            )
    return None


def _said(verdict: Verdict) -> str:
    if verdict.valid:
        return "valid" + "".join(f"\nwarning: {w}" for w in verdict.warnings)
    places = ", ".join(f"{f}:{n}" for f, n in verdict.locations)
    return f"{verdict.errors}\n(at {places})" if places else verdict.errors


def _databases(
    oracle: Oracle, files: Files, path: str, dbs: Databases, prisma_url: str, trueup_url: str
) -> Finding | None:
    env = dbs.env(trueup_url)
    pushed = oracle.push(files, prisma_url)
    try:
        declared = load_prisma(path, dbs.provider, environ=env, url=trueup_url)
        target = parse_url(trueup_target(trueup_url))
        push(target, declared)
    except Exception as exc:
        if not pushed.ok:
            return None  # both fail: Prisma's SQL and trueup's are refused alike
        text = (
            str(exc) if isinstance(exc, SchemaError) else "".join(traceback.format_exception(exc))
        )
        return Finding("trueup-push-fails", gist(f"{type(exc).__name__}: {exc}"), "pushed", text)
    if not pushed.ok:
        return Finding("prisma-push-fails", gist(pushed.failure), pushed.failure, "pushed")
    return _compare(oracle, files, declared, prisma_url, trueup_url)


def _compare(
    oracle: Oracle, files: Files, declared: Declared, prisma_url: str, trueup_url: str
) -> Finding | None:
    namespaces = declared.schema.namespaces
    engine = parse_url(trueup_target(trueup_url)).engine
    by_prisma = inspect(trueup_target(prisma_url), namespaces)
    by_trueup = inspect(trueup_target(trueup_url), namespaces)
    if by_prisma != by_trueup:
        changes = diff(by_prisma, by_trueup, get_dialect(engine).hooks)
        where = where_different(by_prisma, by_trueup)
        key = changes_gist(changes) if changes else gist(where.split(":")[0])
        plan = oracle.plan(files, trueup_url) or ""
        said = f"first difference (Prisma's / trueup's): {where}\n\n" + "\n".join(
            str(c) for c in changes
        )
        return Finding(
            "databases-differ", key, f"Prisma would run on trueup's database:\n{plan}", said
        )
    dry = push(parse_url(trueup_target(prisma_url)), declared, dry_run=True)
    if not dry.plan.is_empty:
        said = "\n".join([*(str(c) for c in dry.plan.changes), "", *dry.plan.sql])
        key = changes_gist(dry.plan.changes) or "data steps"
        return Finding("trueup-finds-prisma-database-unsynced", key, "in sync", said)
    # What Prisma would run is asked before it runs it.
    planned = oracle.plan(files, trueup_url)
    on_trueup = oracle.push(files, trueup_url)
    if on_trueup.in_sync:
        return None
    planned_on_its_own = oracle.plan(files, prisma_url)
    again = oracle.push(files, prisma_url)
    if not again.in_sync and (planned, on_trueup) == (planned_on_its_own, again):
        return None  # Prisma never settles on this schema, and does the same on both
    shown = planned if planned is not None else str(on_trueup)
    return Finding("prisma-finds-trueup-database-unsynced", plan_gist(shown), shown, "in sync")


def plan_gist(sql: str) -> str:
    """What a migration script does: the kinds of step its ``-- CreateIndex`` headings
    name."""
    if not sql.strip():
        return "nothing"
    kinds = sorted({line[3:].strip() for line in sql.splitlines() if line.startswith("-- ")})
    return "; ".join(kinds) if kinds else sql.strip().splitlines()[0]
