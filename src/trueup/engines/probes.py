"""The data checks' queries in SQL: what every engine shares. Each engine's ``probes``
module subclasses :class:`ProbeSQL` with what it writes differently (PostgreSQL's enums, a
comparison that takes NULLs as equal), and its dialect hands it out (``Dialect.probes``).

The checks name what they measure as data (:mod:`trueup.plan.checks.conditions`); this is
the one place that data becomes SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from trueup.plan.checks.conditions import (
    Both,
    Breaks,
    CheckedTable,
    ChildValue,
    Condition,
    DiffersFromComputed,
    HoldsAnyOf,
    IsNull,
    KeptAsOtherClass,
    KeyPart,
    NotInEnum,
    NotKept,
    NotNull,
    Orphaned,
    PointsAt,
    Refused,
)

if TYPE_CHECKING:
    from trueup.engines.base import Dialect
    from trueup.model import Column


class ProbeSQL:
    """Read-only queries over the live data, in standard SQL. ``trial`` says, when a type
    change's condition first needs it, whether the engine's trial cast is ready."""

    def __init__(self, dialect: Dialect, trial: Callable[[], bool]) -> None:
        self.dialect = dialect
        self.q = dialect.quote
        self.trial = trial

    # --- conditions ------------------------------------------------------------------------

    def column(self, over: CheckedTable, name: str) -> str:
        """A column of ``over``, in a probe over that table."""
        return self.q(name)

    def where(self, condition: Condition | Orphaned | PointsAt, over: CheckedTable) -> str | None:
        """``condition`` as SQL over the rows of ``over``; None when the engine cannot
        tell."""
        match condition:
            case Both(first=a, second=b):
                first, second = self.where(a, over), self.where(b, over)
                return None if first is None or second is None else f"{first} AND {second}"
            case Orphaned():
                return self.orphaned(condition)
            case PointsAt():
                return self.points_at(condition)
            case Breaks(check=check):
                return f"NOT ({check})"  # a CHECK that is NULL passes
            case NotKept() | Refused() | KeptAsOtherClass():
                return self._type_change(condition, self.column(over, condition.column))
            case _:
                return self._values(condition, self.column(over, condition.column))

    def _values(
        self,
        condition: NotNull | IsNull | DiffersFromComputed | NotInEnum | HoldsAnyOf,
        col: str,
    ) -> str | None:
        """A condition on the values of one column (``col``, as SQL)."""
        match condition:
            case NotNull():
                return f"{col} IS NOT NULL"
            case IsNull():
                return f"{col} IS NULL"
            case DiffersFromComputed(expression=e):
                return f"{col} IS NOT NULL AND (({e}) IS NULL OR {col} <> ({e}))"
            case NotInEnum(values=values, array=array):
                return self.not_in_enum(col, values, array=array)
            case HoldsAnyOf(values=values, array=array):
                return self.holds_any_of(col, values, array=array)

    def _type_change(self, condition: NotKept | Refused | KeptAsOtherClass, col: str) -> str | None:
        """The values of a column (``col``, as SQL) a type change treats one way or another:
        the engine's own judgement (see ``Dialect.unconvertible``)."""
        match condition:
            case NotKept(old=old, new=new, table=table):
                return self.dialect.unconvertible(col, old, new, trial=self.trial(), table=table)
            case Refused(old=old, new=new, table=table):
                return self.dialect.uncastable(col, old, new, table, trial=self.trial())
            case KeptAsOtherClass(new=new, table=table):
                return self.dialect.kept_as_other_class(col, new, table)

    def not_in_enum(self, column_sql: str, values: Sequence[str], *, array: bool) -> str | None:
        """Values outside an enum's labels; None in an engine without enums."""
        return None

    def holds_any_of(self, column_sql: str, values: Sequence[str], *, array: bool) -> str | None:
        """Values among some of an enum's labels; None in an engine without enums."""
        return None

    def same_value(self, a: str, b: str) -> str:
        """``a`` equals ``b``, NULLs equal to each other."""
        return f"{a} IS NOT DISTINCT FROM {b}"

    def new_value(self, column_sql: str, old: Column, new: Column) -> str:
        """A value of ``old`` as the column holds it once it is ``new``: cast to its type."""
        return f"CAST({column_sql} AS {new.type})"

    def orphaned(self, o: Orphaned) -> str:
        values = [self._child_value(v) for v in o.values]
        present = " AND ".join(f"{v} IS NOT NULL" for v in values)
        if o.parent is None:
            return present  # the parent table does not exist yet: every reference dangles
        retyped = o.parent_retyped or (None,) * len(o.parent_columns)
        parent = [
            f"p.{self.q(pc)}" if r is None else self.new_value(f"p.{self.q(pc)}", *r)
            for pc, r in zip(o.parent_columns, retyped, strict=True)
        ]
        match = " AND ".join(f"{pc} = {v}" for pc, v in zip(parent, values, strict=False))
        return f"{present} AND NOT EXISTS (SELECT 1 FROM {self.table(o.parent)} AS p WHERE {match})"

    def _child_value(self, v: ChildValue) -> str:
        if v.column is None:
            return f"({v.constant})"
        if v.retyped is not None:
            return self.new_value(f"c.{self.q(v.column)}", *v.retyped)
        return f"c.{self.q(v.column)}"

    def points_at(self, p: PointsAt) -> str:
        match = " AND ".join(
            f"c.{self.q(rc)} = g.{self.q(gc)}"
            for rc, gc in zip(p.ref_columns, p.columns, strict=False)
        )
        orphan = self.orphaned(p.orphaned)
        return f"EXISTS (SELECT 1 FROM {self.table(p.child)} AS c WHERE {orphan} AND {match})"

    # --- keys --------------------------------------------------------------------------------

    def key(self, part: KeyPart, over: CheckedTable) -> str:
        """One part of a unique key over ``over`` as the new table compares it
        (``Dialect.key_value`` for a column whose type or collation changes)."""
        if part.column is None:
            assert part.expression is not None
            key = f"({part.expression})"
        else:
            key = self.column(over, part.column)
            if part.change is not None:
                old, new = part.change
                assert part.table is not None
                return self.dialect.key_value(key, old, new, part.collation, part.table)
        return key + (f" COLLATE {self.q(part.collation)}" if part.collation else "")

    # --- queries -----------------------------------------------------------------------------

    def table(self, table: CheckedTable) -> str:
        """The table's name, with its schema when that is not the default one."""
        name = self.q(table.name)
        return name if table.schema is None else f"{self.q(table.schema)}.{name}"

    def count(self, table: CheckedTable, where: str | None, alias: str | None = None) -> str:
        sql = f"SELECT count(*) FROM {self.table(table)}"
        if alias is not None:
            sql += f" AS {alias}"
        return sql + (f" WHERE {where}" if where else "")

    def counts(self, table: CheckedTable, wheres: Sequence[str]) -> str:
        """The rows, and those each of ``wheres`` holds for, in one pass over the table."""
        filters = ", ".join(f"count(*) FILTER (WHERE {w})" for w in wheres)
        return f"SELECT count(*), {filters} FROM {self.table(table)}"

    def examples(
        self, table: CheckedTable, where: str, limit: int, alias: str | None = None
    ) -> str:
        """The keys of some rows ``where`` holds for."""
        keys = self.dialect.row_key(table.model)
        if alias is None:
            return f"SELECT {', '.join(keys)} FROM {self.table(table)} WHERE {where} LIMIT {limit}"
        keyed = ", ".join(f"{alias}.{k}" for k in keys)
        return f"SELECT {keyed} FROM {self.table(table)} AS {alias} WHERE {where} LIMIT {limit}"

    def _groups(
        self, table: CheckedTable, keys: Sequence[str], where: str | None, nulls_equal: bool
    ) -> tuple[str, str]:
        """The rows a unique key covers (a condition, maybe empty) and the query of the
        groups of them that share one key."""
        conds = [] if nulls_equal else [f"{k} IS NOT NULL" for k in keys]
        conds += [f"({where})"] if where else []
        cond = " AND ".join(conds)
        filtered = f" WHERE {cond}" if cond else ""
        key_list = ", ".join(keys)
        groups = (
            f"SELECT {key_list} FROM {self.table(table)}{filtered} "
            f"GROUP BY {key_list} HAVING count(*) > 1"
        )
        return cond, groups

    def duplicate_count(
        self, table: CheckedTable, keys: Sequence[str], where: str | None, nulls_equal: bool
    ) -> str:
        """How many groups of rows share one value of ``keys``. NULLs never collide in a
        unique key, unless ``nulls_equal`` (NULLS NOT DISTINCT): then a NULL is a value like
        any other, as GROUP BY takes it."""
        _, groups = self._groups(table, keys, where, nulls_equal)
        return f"SELECT count(*) FROM ({groups}) AS dup"

    def duplicate_rows(
        self, table: CheckedTable, keys: Sequence[str], where: str | None, nulls_equal: bool
    ) -> str:
        """A condition for the rows in those groups."""
        cond, groups = self._groups(table, keys, where, nulls_equal)
        if not nulls_equal:
            target = keys[0] if len(keys) == 1 else f"({', '.join(keys)})"
            return f"{cond} AND {target} IN ({groups})"
        # IN never matches a NULL: the rows of each group are found by a comparison that
        # takes NULLs as equal, against the groups' keys under names no column can clash with.
        dup = self.q("_trueup_dup")
        names = [self.q(f"_trueup_key{i}") for i in range(len(keys))]
        named = ", ".join(f"{k} AS {n}" for k, n in zip(keys, names, strict=True))
        same = " AND ".join(
            self.same_value(f"{dup}.{n}", k) for k, n in zip(keys, names, strict=True)
        )
        key_list = ", ".join(keys)
        filtered = f" WHERE {cond}" if cond else ""
        found = (
            f"EXISTS (SELECT 1 FROM (SELECT {named} FROM {self.table(table)}{filtered} "
            f"GROUP BY {key_list} HAVING count(*) > 1) AS {dup} WHERE {same})"
        )
        return f"{cond} AND {found}" if cond else found
