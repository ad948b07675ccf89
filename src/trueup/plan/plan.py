"""A Plan is inert data: the statements a push will run, in order, each tied to the change
it comes from. ``--dry-run``, ``diff --format sql|json`` and ``push`` all print or run the
same Plan, so what is shown is exactly what runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trueup.diff.changes import Change
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


@dataclass(frozen=True, slots=True)
class Step:
    """One statement. ``comment`` says what it is for; ``change`` is the change it comes
    from (several steps can share one change, such as the statements of a table rebuild).
    A step that ``checks_data`` checks the rows the push leaves (PostgreSQL's ``VALIDATE
    CONSTRAINT`` of a new foreign key): it runs after the ``after`` data steps, which may
    make what it needs, at the end of the plan."""

    sql: str
    comment: str = ""
    change: Change | None = field(default=None, compare=False)
    checks_data: bool = False


@dataclass(frozen=True, slots=True)
class Plan:
    """The statements of one push. ``steps`` run inside one transaction; ``before`` and
    ``after`` are the engine settings that must be changed outside it (SQLite's
    ``PRAGMA foreign_keys``). ``checked_tables`` are the tables whose foreign keys are
    verified before the transaction commits."""

    dialect: str
    changes: tuple[Change, ...] = ()
    steps: tuple[Step, ...] = ()
    findings: tuple[Finding, ...] = ()
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    checked_tables: tuple[str, ...] = ()
    before_steps: tuple[DataStep, ...] = ()
    after_steps: tuple[DataStep, ...] = ()

    @property
    def is_empty(self) -> bool:
        """Nothing to do: no schema change and no data step waiting to run."""
        return not self.changes and not self.before_steps and not self.after_steps

    @property
    def sql(self) -> list[str]:
        return [s.sql for s in self.steps]

    def with_findings(self, findings: tuple[Finding, ...]) -> Plan:
        return replace(self, findings=findings)

    def blocking(self, *, accept_data_loss: bool) -> tuple[Finding, ...]:
        """Findings that stop the push under the given policy."""
        stops = {Risk.UNEXECUTABLE} if accept_data_loss else {Risk.UNEXECUTABLE, Risk.DATA_LOSS}
        return tuple(f for f in self.findings if f.risk in stops)

    @property
    def unexecutable(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.risk is Risk.UNEXECUTABLE)
