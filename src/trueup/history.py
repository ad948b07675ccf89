"""The change history kept in the database itself.

Every push that changes something records what it did: when, which trueup, the declared
schema and its hash, the statements it ran, the findings it went past, the flags, the backup
it took, the data steps it ran, and the fingerprint of the schema it left. The entry is
written in the push's own transaction, so a push that rolls back leaves no entry. A push
that finds nothing to do records a ``sync`` entry only when the database is not as the last
entry left it (see ``in_sync_since_last_push``): the next push from the same source can
then tell it is in sync without reading either schema.

The history is kept in two views, ``_trueup_history`` and ``_trueup_steps``, whose
definitions hold the entries as rows (``CREATE VIEW ... AS VALUES ...``), rewritten by each
push that records one. A view rather than a table, because ``prisma db push`` drops every
table its schema does not declare, while it leaves views alone: a database trueup pushed
stays in sync for Prisma too. Read them like tables: ``SELECT * FROM _trueup_history``. The
differ never sees them (names starting with ``_trueup_`` are trueup's own).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trueup.engines.base import Dialect, Session

HISTORY = "_trueup_history"
STEPS = "_trueup_steps"
HISTORY_COLUMNS = ("id", "applied_at", "kind", "schema_hash", "fingerprint", "details")
STEPS_COLUMNS = ("hash", "name", "applied_at", "history_id")


@dataclass(frozen=True, slots=True)
class Entry:
    kind: str  # "push", "reset", "rollback", or "sync" (found in sync, nothing applied)
    statements: tuple[str, ...] = ()
    schema_path: str | None = None
    schema_hash: str | None = None
    fingerprint: str | None = None
    findings: tuple[dict[str, Any], ...] = ()
    flags: dict[str, Any] = field(default_factory=dict)
    backup: str | None = None
    data_steps: tuple[dict[str, str], ...] = ()
    outcome: str = "applied"
    trueup_version: str = ""
    applied_at: str = ""
    #: A digest of the database schema as the push left it (see ``Session.schema_digest``).
    schema_digest: str | None = None
    #: The key of the declared source the push was made from (see ``Source.key``).
    push_key: str | None = None
    id: int | None = None

    def details(self) -> dict[str, Any]:
        return {
            "statements": list(self.statements),
            "schema_path": self.schema_path,
            "findings": list(self.findings),
            "flags": self.flags,
            "backup": self.backup,
            "data_steps": list(self.data_steps),
            "outcome": self.outcome,
            "trueup_version": self.trueup_version,
            "schema_digest": self.schema_digest,
            "push_key": self.push_key,
        }


def _rows(session: Session, dialect: Dialect, view: str, columns: tuple[str, ...]) -> list[Any]:
    if not session.query(dialect.table_exists_sql(), (view,)):
        return []
    return session.query(f"SELECT {', '.join(columns)} FROM {dialect.quote(view)}")


def _value(dialect: Dialect, value: object) -> str:
    # Every value carries its type, so a column of NULLs is still a typed column.
    if isinstance(value, int):
        return f"CAST({value} AS INTEGER)"
    if value is None:
        return "CAST(NULL AS TEXT)"
    return f"CAST({dialect.literal(str(value))} AS TEXT)"


def _write(
    session: Session, dialect: Dialect, view: str, columns: tuple[str, ...], rows: list[Any]
) -> None:
    session.execute(f"DROP VIEW IF EXISTS {dialect.quote(view)}")
    values = ",\n".join("(" + ", ".join(_value(dialect, v) for v in row) + ")" for row in rows)
    names = ", ".join(dialect.quote(c) for c in columns)
    session.execute(f"CREATE VIEW {dialect.quote(view)} ({names}) AS VALUES\n{values}")


#: The history as its view holds it, one row an entry (see ``log`` and ``record``).
Log = list[list[Any]]


def log(session: Session, dialect: Dialect) -> Log:
    """Every entry as stored, oldest first: what a rollback writes back (see ``record``)."""
    rows = _rows(session, dialect, HISTORY, HISTORY_COLUMNS)
    return sorted((list(r) for r in rows), key=lambda r: int(r[0]))


def record(session: Session, dialect: Dialect, entry: Entry, *, after: Log | None = None) -> int:
    """Write ``entry`` in the session's open transaction; returns its number.

    ``after`` is the history to add it to, instead of the database's own: a rollback puts
    back a backup, which holds the history as it was when the backup was taken, and the
    history must go on from the one the database had (the entries of the pushes it undoes
    included)."""
    from trueup import __version__

    now = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    details = {
        **entry.details(),
        "trueup_version": entry.trueup_version or __version__,
        # The schema as the push left it (the caller's digest when it has one already):
        # trueup's own views are not part of the digest.
        "schema_digest": entry.schema_digest or session.schema_digest(),
    }
    rows = log(session, dialect) if after is None else [list(r) for r in after]
    number = max((int(r[0]) for r in rows), default=0) + 1
    rows.append(
        [number, now, entry.kind, entry.schema_hash, entry.fingerprint, json.dumps(details)]
    )
    _write(session, dialect, HISTORY, HISTORY_COLUMNS, rows)
    if entry.data_steps:
        steps = [list(r) for r in _rows(session, dialect, STEPS, STEPS_COLUMNS)]
        steps += [[s["hash"], s["name"], now, number] for s in entry.data_steps]
        _write(session, dialect, STEPS, STEPS_COLUMNS, steps)
    return number


def entries(session: Session, dialect: Dialect) -> list[Entry]:
    """Every entry, oldest first (an empty list before the first recorded push)."""
    out = []
    rows = _rows(session, dialect, HISTORY, HISTORY_COLUMNS)
    for number, applied_at, kind, schema_hash, fingerprint, details in sorted(
        rows, key=lambda r: int(r[0])
    ):
        d = json.loads(details)
        out.append(
            Entry(
                kind=kind,
                statements=tuple(d.get("statements", ())),
                schema_path=d.get("schema_path"),
                schema_hash=schema_hash,
                fingerprint=fingerprint,
                findings=tuple(d.get("findings", ())),
                flags=d.get("flags", {}),
                backup=d.get("backup"),
                data_steps=tuple(d.get("data_steps", ())),
                outcome=d.get("outcome", "applied"),
                trueup_version=d.get("trueup_version", ""),
                applied_at=applied_at,
                schema_digest=d.get("schema_digest"),
                push_key=d.get("push_key"),
                id=int(number),
            )
        )
    return out


def undone(found: list[Entry]) -> set[int]:
    """The numbers of the entries a later rollback undid: a rollback to before entry N
    undid N and every entry after it, up to the rollback itself."""
    out: set[int] = set()
    for e in found:
        to = e.flags.get("to") if e.kind == "rollback" else None
        if isinstance(to, int) and e.id is not None:
            out.update(x.id for x in found if x.id is not None and to <= x.id < e.id)
    return out


def in_sync_since_last_push(session: Session, dialect: Dialect, push_key: str, digest: str) -> bool:
    """Whether the database, whose schema digests to ``digest`` now (see
    ``Session.schema_digest``: SQLite's ``sqlite_schema``, one catalog query on
    PostgreSQL), is exactly as the last entry left it, pushed from the same declared
    source: then it is in sync without reading either schema."""
    if not session.query(dialect.table_exists_sql(), (HISTORY,)):
        return False
    rows = session.query(
        f"SELECT kind, details FROM {dialect.quote(HISTORY)} ORDER BY id DESC LIMIT 1"
    )
    if not rows or rows[0][0] not in ("push", "reset", "sync"):
        return False
    details = json.loads(rows[0][1])
    return bool(details.get("push_key") == push_key and details.get("schema_digest") == digest)


def steps_done(session: Session, dialect: Dialect) -> set[str]:
    """The content hashes of the data steps that already ran on this database."""
    return {str(r[0]) for r in _rows(session, dialect, STEPS, STEPS_COLUMNS)}
