"""Rows a new foreign key finds without a parent, settled inside the push once the schema
change and the ``-- trueup:after`` data steps have run, before the key is checked.

A data step can make what the change needs (the parent row of a new required relation, say),
so the rows are counted here, after it, not only when the plan is made. Where none point
nowhere, nothing happens. Where some do, the push stops (nothing of it is kept), unless
``--accept-data-loss`` was given: then a nullable key's orphans get NULL, and a required
key's orphan rows are deleted, each counted. Rows that point at a row it would delete stop
it even then (see :mod:`trueup.plan.foreign_keys`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from trueup.diff import changes as ch
from trueup.engines.base import Dialect, Session
from trueup.model import ForeignKey, Schema, Table
from trueup.plan import Finding, Plan, Risk
from trueup.plan.foreign_keys import Orphans
from trueup.plan.risk import EXAMPLES, NEW_FOREIGN_KEY
from trueup.steps import DataStep


def new_keys(changes: Sequence[ch.Change]) -> list[tuple[Table, ForeignKey]]:
    """The foreign keys ``changes`` add to tables that already exist, with the table as it
    will be (a key whose only change is its actions is a ModifyForeignKey: not new)."""
    return [
        (change.new, part.foreign_key)
        for change in changes
        if isinstance(change, ch.ModifyTable)
        for part in change.changes
        if isinstance(part, ch.AddForeignKey)
    ]


class _Settle:
    def __init__(self, session: Session, dialect: Dialect, desired: Schema) -> None:
        self.session = session
        self.dialect = dialect
        self.desired = desired
        self.q = dialect.quote

    def name(self, table: str, schema: str | None) -> str:
        return self.q(table) if schema is None else f"{self.q(schema)}.{self.q(table)}"

    def keys(self, table: Table) -> list[str]:
        pk = table.primary_key
        # Without a primary key, the engine's own row identity (unquoted: a row id column).
        return list(pk.columns) if pk else list(self.dialect.row_key(table))

    def examples(self, table: Table, alias: str, where: str) -> tuple[object, ...]:
        keys = ", ".join(f"{alias}.{k}" for k in self.dialect.row_key(table))
        found = self.session.query(
            f"SELECT {keys} FROM {self.name(table.name, table.schema)} AS {alias} "
            f"WHERE {where} LIMIT {EXAMPLES}"
        )
        return tuple(r[0] if len(r) == 1 else tuple(r) for r in found)

    def count(self, sql: str) -> int:
        return int(self.session.query(sql)[0][0])

    def orphans(self, table: Table, fk: ForeignKey) -> tuple[Orphans, str] | None:
        """The rows of ``table`` that ``fk`` finds without a parent now, and the condition
        that finds them (``table`` as ``c``); None when there are none."""
        cols = [f"c.{self.q(c)}" for c in fk.columns]
        present = " AND ".join(f"{c} IS NOT NULL" for c in cols)
        match = " AND ".join(
            f"p.{self.q(pc)} = {c}" for pc, c in zip(fk.ref_columns, cols, strict=False)
        )
        parent = self.name(fk.ref_table, fk.ref_schema)
        orphan = f"{present} AND NOT EXISTS (SELECT 1 FROM {parent} AS p WHERE {match})"
        here = self.name(table.name, table.schema)
        n = self.count(f"SELECT count(*) FROM {here} AS c WHERE {orphan}")
        if n == 0:
            return None
        nullable = tuple(
            c for c in fk.columns if (col := table.column(c)) is not None and col.nullable
        )
        ref = fk.ref_table if fk.ref_schema is None else f"{fk.ref_schema}.{fk.ref_table}"
        shown = table.name if table.schema is None else f"{table.schema}.{table.name}"
        found = Orphans(
            shown,
            fk.columns,
            ref,
            n,
            self.examples(table, "c", orphan),
            self.keys(table),
            nullable,
            after_steps=True,
        )
        if not nullable:
            found = replace(found, blockers=self.blockers(table, orphan))
        return found, orphan

    def blockers(
        self, table: Table, orphan: str
    ) -> tuple[tuple[str, int, tuple[object, ...], Sequence[str]], ...]:
        """Rows of any table of the declared schema that point at the rows ``orphan``
        finds in ``table``."""
        fold = str.casefold
        out = []
        for other in self.desired.tables:
            for fk in other.foreign_keys:
                if (fk.ref_schema, fold(fk.ref_table)) != (table.schema, fold(table.name)):
                    continue
                match = " AND ".join(
                    f"c.{self.q(rc)} = g.{self.q(gc)}"
                    for rc, gc in zip(fk.ref_columns, fk.columns, strict=False)
                )
                where = (
                    f"EXISTS (SELECT 1 FROM {self.name(table.name, table.schema)} AS c "
                    f"WHERE {orphan} AND {match})"
                )
                g = self.name(other.name, other.schema)
                n = self.count(f"SELECT count(*) FROM {g} AS g WHERE {where}")
                if n:
                    shown = other.name if other.schema is None else f"{other.schema}.{other.name}"
                    examples = self.examples(other, "g", where)
                    out.append((shown, n, examples, self.keys(other)))
        return tuple(out)

    def resolve(self, table: Table, found: Orphans, orphan: str) -> None:
        here = self.name(table.name, table.schema)
        # The condition names the table as ``c``; UPDATE and DELETE take no alias in SQLite.
        rows = f"SELECT {', '.join(self.dialect.row_key(table))} FROM {here} AS c WHERE {orphan}"
        keys = self.dialect.row_key(table)
        target = keys[0] if len(keys) == 1 else f"({', '.join(keys)})"
        if found.nulled:
            values = ", ".join(f"{self.q(c)} = NULL" for c in found.nulled)
            self.session.execute(f"UPDATE {here} SET {values} WHERE {target} IN ({rows})")
        else:
            self.session.execute(f"DELETE FROM {here} WHERE {target} IN ({rows})")


def settle_orphans(
    session: Session,
    dialect: Dialect,
    plan: Plan,
    desired: Schema,
    *,
    accept_data_loss: bool,
) -> tuple[Finding, ...]:
    """Count the rows each key the plan adds finds without a parent, now. Raises the
    push's refusal (UnsafePlan) when there are some and they may not be settled (no
    ``accept_data_loss``, or rows point at rows it would delete); otherwise sets them to
    NULL or deletes them, and returns a finding for each key that had any."""
    settle = _Settle(session, dialect, desired)
    found = []
    for table, fk in new_keys(plan.changes):
        counted = settle.orphans(table, fk)
        if counted is not None:
            found.append((table, *counted))
    findings = tuple(o.finding() for _, o, _ in found)
    blocked = any(o.blockers for _, o, _ in found)
    if found and (blocked or not accept_data_loss):
        from trueup.push import refusal

        refused = refusal(plan.with_findings(findings), accept_data_loss=accept_data_loss)
        assert refused is not None
        raise refused
    for table, orphans, orphan in found:
        settle.resolve(table, orphans, orphan)
    return findings


def counted_after_the_steps(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """``findings`` as they stand while ``after`` data steps are pending: rows without a
    parent are only a ``caution`` now, since a step may give them their parents; the push
    counts them again after the steps, and stops (or, accepted, settles them) then."""
    note = (
        " An `-- trueup:after` data step runs first: the rows are counted again after it, "
        "and the push stops if any still point nowhere (unless --accept-data-loss)."
    )
    return tuple(
        replace(f, risk=Risk.CAUTION, message=f.message + note)
        if f.code == NEW_FOREIGN_KEY and f.risk in (Risk.DATA_LOSS, Risk.UNEXECUTABLE)
        else f
        for f in findings
    )


def without_orphan_findings(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """``findings`` less those about rows without a parent counted before the data steps:
    what the push found after them replaces them."""
    return tuple(f for f in findings if f.code != NEW_FOREIGN_KEY)


@dataclass
class AfterTheChange:
    """What a push runs between its schema change and the checks of the rows it leaves:
    the ``after`` data steps, then the settling of rows its new foreign keys find without
    a parent (none after a reset: the database was emptied)."""

    session: Session
    dialect: Dialect
    plan: Plan
    desired: Schema
    steps: Sequence[DataStep]
    run_step: Callable[[Session, Dialect, DataStep], DataStep]
    accept_data_loss: bool
    reset: bool
    found: tuple[Finding, ...] | None = field(default=None, init=False)
    #: The steps as they ran (a step with nothing to work on is marked not needed).
    ran: tuple[DataStep, ...] | None = field(default=None, init=False)

    def __call__(self) -> None:
        self.ran = tuple(self.run_step(self.session, self.dialect, step) for step in self.steps)
        if not self.reset:
            self.found = settle_orphans(
                self.session,
                self.dialect,
                self.plan,
                self.desired,
                accept_data_loss=self.accept_data_loss,
            )

    def with_what_was_found(self, plan: Plan) -> Plan:
        """``plan`` with its after steps as they ran, and the rows without a parent as
        they were counted after the steps."""
        if self.ran is not None:
            plan = replace(plan, after_steps=self.ran)
        if self.found is None:
            return plan
        return plan.with_findings(without_orphan_findings(plan.findings) + self.found)
