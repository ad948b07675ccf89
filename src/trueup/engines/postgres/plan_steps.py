"""The PostgreSQL plan being built: its steps, by the stage they run in.

A PostgreSQL plan is a sequence of stages (:class:`Stage`), ordered so each statement finds
what it needs and nothing it would trip over; each part of the planner adds its steps to the
stage they belong to, and the plan is the stages in order.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace

from trueup.diff import changes as ch
from trueup.engines.base import Extras
from trueup.engines.postgres.extras import give_back
from trueup.engines.postgres.quoting import qualified, quote
from trueup.engines.postgres.render import table_name, type_name
from trueup.model import Enum, Schema, Table
from trueup.plan import Phase, Step


class Stage(enum.Enum):
    """Where a step goes in the plan: stages run in this order."""

    DROP_VIEWS = enum.auto()
    SCHEMAS = enum.auto()
    EXTENSIONS = enum.auto()
    DROP_FOREIGN_KEYS = enum.auto()
    DROP_INDEXES = enum.auto()
    RENAMES = enum.auto()
    DROP_TABLES = enum.auto()
    DROP_COLUMNS = enum.auto()
    DROP_REPLACED_ENUMS = enum.auto()
    ENUMS = enum.auto()
    SEQUENCES = enum.auto()
    COLUMNS = enum.auto()
    KEYS = enum.auto()
    CREATE_TABLES = enum.auto()
    CREATE_INDEXES = enum.auto()
    ADD_FOREIGN_KEYS = enum.auto()
    DROP_ENUMS = enum.auto()
    DROP_SEQUENCES = enum.auto()
    CREATE_VIEWS = enum.auto()
    COMMENTS = enum.auto()
    VALIDATE_FOREIGN_KEYS = enum.auto()


def uses_enum(col_type: str, enum: Enum) -> bool:
    """Whether a column of this type (or an array of it) holds values of the enum."""
    base = col_type[:-2] if col_type.endswith("[]") else col_type
    return base in (type_name(enum.name, enum.schema), qualified(enum.name, enum.schema))


@dataclass
class PlanBuilder:
    current: Schema
    desired: Schema
    concurrent_indexes: bool
    #: What the current objects have besides the model, given back to those made again.
    extras: Extras = field(default_factory=dict)
    stages: dict[Stage, list[Step]] = field(default_factory=lambda: {s: [] for s in Stage})
    #: Enums dropped and created again under the same name (a reset): the old type must go
    #: before the new one is made, once the tables that used it are gone.
    replaced_enums: set[tuple[str | None, str]] = field(default_factory=set)
    #: Column types the plan casts columns into from another type.
    cast_into: set[str] = field(default_factory=set)

    def add(self, stage: Stage, sql: str, comment: str, change: ch.Change | None) -> None:
        self.stages[stage].append(Step(sql, comment, change, stage is Stage.VALIDATE_FOREIGN_KEYS))

    def add_after_commit(
        self, stage: Stage, sql: str, comment: str, change: ch.Change, part: ch.TableChange
    ) -> None:
        """A step that cannot run in a transaction block: it runs after the commit."""
        step = Step(sql, comment, change, phase=Phase.AFTER_COMMIT, part=part)
        self.stages[stage].append(step)

    def steps(self) -> tuple[Step, ...]:
        """The steps, phase by phase, each phase's in the order of the stages."""
        return tuple(s for p in Phase for t in Stage for s in self.stages[t] if s.phase is p)

    def drop_constraint(
        self, stage: Stage, t: Table, name: str | None, change: ch.Change | None
    ) -> None:
        assert name is not None, "PostgreSQL names every constraint"
        self.add(
            stage,
            f"ALTER TABLE {table_name(t)} DROP CONSTRAINT {quote(name)}",
            f"drop constraint {name} of {t.name}",
            change,
        )

    def give_back(
        self,
        stage: Stage,
        key: tuple[str, str | None, str],
        kind: str,
        change: ch.Change | None,
        *,
        same_columns: bool = True,
        same_kind: bool = True,
    ) -> None:
        """The steps that give the object ``key`` (made again, as a ``kind``) its indexes,
        owner, privileges, comment and options back. Options and indexes are a kind's own
        (a view's options are not a materialized view's, and a view has no indexes), and go
        only to an object of the same kind."""
        extras = self.extras.get(key)
        if extras is None:
            return
        if not same_kind:
            extras = replace(extras, options=(), indexes=())
        name = qualified(key[2], key[1])
        for sql, comment in give_back(
            kind, name, key[2], extras, same_columns=same_columns, schema=key[1]
        ):
            self.add(stage, sql, comment, change)

    def modified(self, name: str, schema: str | None) -> list[ch.ModifyTable]:
        """The change to the table ``name`` (under its new name) planned so far, if any."""
        return [
            c
            for p in Stage
            for s in self.stages[p]
            if isinstance(c := s.change, ch.ModifyTable)
            and c.new.name == name
            and c.new.schema == schema
        ][:1]
