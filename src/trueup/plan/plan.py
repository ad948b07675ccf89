"""A Plan is inert data: the statements a push will run, in order, each tied to the change
it comes from and to the phase it runs in (before the push's transaction, in it, or after
it commits). ``--dry-run``, ``diff --format sql|json``, plan files and ``push`` all print,
record or run the same steps, so what is shown is exactly what runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trueup.diff.changes import Change, TableChange
    from trueup.steps import DataStep


class Risk(StrEnum):
    """How dangerous a finding is, from harmless to impossible."""

    INFO = "info"
    CAUTION = "caution"
    DATA_LOSS = "data-loss"
    UNEXECUTABLE = "unexecutable"


@dataclass(frozen=True, slots=True)
class Finding:
    """Something a person should know before the plan runs. ``code`` is stable and
    documented in docs/findings.md. ``rows`` is the number of rows in the table, ``count``
    the number of rows or values the finding is about, ``examples`` the keys of some of
    them; all are None / empty when they could not be measured."""

    code: str
    risk: Risk
    message: str
    table: str | None = None
    column: str | None = None
    rows: int | None = None
    count: int | None = None
    examples: tuple[object, ...] = ()


class Phase(StrEnum):
    """When a step runs, relative to the push's one transaction. Most run in it; a few
    statements cannot run inside a transaction block at all (PostgreSQL's ``CREATE INDEX
    CONCURRENTLY``) and run after it commits, while the push still holds its lock."""

    BEFORE_TRANSACTION = "before-transaction"
    IN_TRANSACTION = "in-transaction"
    AFTER_COMMIT = "after-commit"


@dataclass(frozen=True, slots=True)
class Step:
    """One statement. ``comment`` says what it is for; ``change`` is the change it comes
    from (several steps can share one change, such as the statements of a table rebuild),
    and ``part`` the part of a table change it makes where a later check needs to know
    (an index built after the commit is not there yet when the transaction ends).
    A step that ``checks_data`` checks the rows the push leaves (PostgreSQL's ``VALIDATE
    CONSTRAINT`` of a new foreign key): it runs after the ``after`` data steps, which may
    make what it needs, at the end of the transaction."""

    sql: str
    comment: str = ""
    change: Change | None = field(default=None, compare=False)
    checks_data: bool = False
    phase: Phase = Phase.IN_TRANSACTION
    part: TableChange | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Plan:
    """The statements of one push: ``steps``, each with the phase it runs in, ordered by
    phase. ``checked_tables`` are the tables whose foreign keys are verified before the
    transaction commits."""

    dialect: str
    changes: tuple[Change, ...] = ()
    steps: tuple[Step, ...] = ()
    findings: tuple[Finding, ...] = ()
    checked_tables: tuple[str, ...] = ()
    before_steps: tuple[DataStep, ...] = ()
    after_steps: tuple[DataStep, ...] = ()

    @property
    def is_empty(self) -> bool:
        """Nothing to do: no schema change and no data step waiting to run."""
        return not self.changes and not self.before_steps and not self.after_steps

    def in_phase(self, phase: Phase) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.phase is phase)

    @property
    def sql(self) -> list[str]:
        """The statements run in the push's transaction."""
        return [s.sql for s in self.in_phase(Phase.IN_TRANSACTION)]

    @property
    def after(self) -> tuple[str, ...]:
        """The statements run after the transaction commits."""
        return tuple(s.sql for s in self.in_phase(Phase.AFTER_COMMIT))

    @property
    def statements(self) -> tuple[tuple[Phase, str], ...]:
        """Every statement with its phase: what a reviewed or confirmed plan pins."""
        return tuple((s.phase, s.sql) for s in self.steps)

    def with_findings(self, findings: tuple[Finding, ...]) -> Plan:
        return replace(self, findings=findings)

    def blocking(self, *, accept_data_loss: bool) -> tuple[Finding, ...]:
        """Findings that stop the push under the given policy."""
        stops = {Risk.UNEXECUTABLE} if accept_data_loss else {Risk.UNEXECUTABLE, Risk.DATA_LOSS}
        return tuple(f for f in self.findings if f.risk in stops)

    @property
    def unexecutable(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.risk is Risk.UNEXECUTABLE)


def script_lines(steps: Sequence[Step]) -> list[str]:
    """Steps as lines of a SQL script: each statement after its comment."""
    lines: list[str] = []
    for step in steps:
        if step.comment:
            lines.append(f"-- {step.comment}")
        lines.append(step.sql + ";")
    return lines
