"""The change history kept in the database itself (``_trueup_history``).

Every push that changes something records what it did: when, which trueup, the declared
schema and its hash, the statements it ran, the findings it went past, the flags, the backup
it took, the data steps it ran, and the fingerprint of the schema it left. The entry is
written in the push's own transaction, so a push that rolls back leaves no entry. The
differ never sees these tables (names starting with ``_trueup_`` are trueup's own).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trueup.dialects.base import Dialect, Session

HISTORY = "_trueup_history"
STEPS = "_trueup_steps"


@dataclass(frozen=True, slots=True)
class Entry:
    kind: str  # "push", "reset" or "rollback"
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
    schema_version: int | None = None
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
            "schema_version": self.schema_version,
            "push_key": self.push_key,
        }


def _exists(session: Session, dialect: Dialect, table: str) -> bool:
    return bool(session.query(dialect.table_exists_sql(), (table,)))


def ensure_tables(session: Session, dialect: Dialect) -> None:
    for statement in dialect.history_tables_sql(HISTORY, STEPS):
        session.execute(statement)


def record(session: Session, dialect: Dialect, entry: Entry) -> int:
    """Write ``entry`` in the session's open transaction; returns its number."""
    from trueup import __version__

    ensure_tables(session, dialect)
    now = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    p = dialect.placeholder
    details = {
        **entry.details(),
        "trueup_version": entry.trueup_version or __version__,
        # Read after the tables exist: inserting rows does not change it again.
        "schema_version": session.schema_cookie(),
    }
    rows = session.query(
        f"INSERT INTO {dialect.quote(HISTORY)} (applied_at, kind, schema_hash, fingerprint, "
        f"details) VALUES ({p}, {p}, {p}, {p}, {p}) RETURNING id",
        (now, entry.kind, entry.schema_hash, entry.fingerprint, json.dumps(details)),
    )
    number = int(rows[0][0])
    for step in entry.data_steps:
        session.query(
            f"INSERT INTO {dialect.quote(STEPS)} (hash, name, applied_at, history_id) "
            f"VALUES ({p}, {p}, {p}, {p}) RETURNING hash",
            (step["hash"], step["name"], now, number),
        )
    return number


def entries(session: Session, dialect: Dialect) -> list[Entry]:
    """Every entry, oldest first (an empty list before the first recorded push)."""
    if not _exists(session, dialect, HISTORY):
        return []
    rows = session.query(
        f"SELECT id, applied_at, kind, schema_hash, fingerprint, details "
        f"FROM {dialect.quote(HISTORY)} ORDER BY id"
    )
    out = []
    for number, applied_at, kind, schema_hash, fingerprint, details in rows:
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
                schema_version=d.get("schema_version"),
                push_key=d.get("push_key"),
                id=int(number),
            )
        )
    return out


def in_sync_since_last_push(session: Session, dialect: Dialect, push_key: str) -> bool:
    """Whether the database is exactly as the last push left it, pushed from the same
    declared source: then it is in sync without reading either schema. It needs an engine
    that counts schema changes (SQLite's schema_version); otherwise the answer is no."""
    cookie = session.schema_cookie()
    if cookie is None or not _exists(session, dialect, HISTORY):
        return False
    rows = session.query(
        f"SELECT kind, details FROM {dialect.quote(HISTORY)} ORDER BY id DESC LIMIT 1"
    )
    if not rows or rows[0][0] not in ("push", "reset"):
        return False
    details = json.loads(rows[0][1])
    return bool(details.get("push_key") == push_key and details.get("schema_version") == cookie)


def steps_done(session: Session, dialect: Dialect) -> set[str]:
    """The content hashes of the data steps that already ran on this database."""
    if not _exists(session, dialect, STEPS):
        return set()
    return {row[0] for row in session.query(f"SELECT hash FROM {dialect.quote(STEPS)}")}
