"""The SQLite plan being built: its steps in order, and the schemas it goes between."""

from __future__ import annotations

from dataclasses import dataclass, field

from trueup.diff import changes as ch
from trueup.engines.sqlite.lexer import fold
from trueup.model import Schema
from trueup.plan import Step


def key(name: str) -> str:
    """The form in which two SQLite names compare equal."""
    return fold(name)


@dataclass
class PlanBuilder:
    current: Schema
    desired: Schema
    steps: list[Step] = field(default_factory=list)

    def add(self, sql: str, comment: str, change: ch.Change | None) -> None:
        self.steps.append(Step(sql, comment, change))
