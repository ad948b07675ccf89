"""How plans, changes and findings look on a terminal and in JSON."""

from __future__ import annotations

import dataclasses
import json
from typing import Any, assert_never

import click

from trueup.diff import changes as ch
from trueup.model import Column, Deferral, ForeignKey, Index
from trueup.model.json import to_data
from trueup.plan import Finding, Plan, Risk


def _q(name: str | None) -> str:
    return f'"{name}"' if name is not None else "(unnamed)"


def _qs(name: str, schema: str | None) -> str:
    """A schema object's name, with its schema when that is not the default one."""
    return _q(name) if schema is None else f"{_q(schema)}.{_q(name)}"


def _column(col: Column) -> str:
    text = f"{_q(col.name)} {col.type or '(no type)'}"
    if not col.nullable:
        text += " NOT NULL"
    if col.default is not None:
        text += f" DEFAULT {col.default.text}"
    if col.generated is not None:
        text += f" AS ({col.generated.expression.text})"
    return text


def _index(idx: Index) -> str:
    keys = ", ".join(
        (p.column or (p.expression.text if p.expression else "?"))
        + (f" COLLATE {p.collation}" if p.collation else "")
        + (" DESC" if p.descending else "")
        + (f" NULLS {p.nulls}" if p.nulls else "")
        for p in idx.parts
    )
    kind = "unique constraint" if idx.constraint else ("unique index" if idx.unique else "index")
    name = "" if idx.constraint and idx.name is None else f" {_q(idx.name)}"
    nulls = " NULLS NOT DISTINCT" if idx.nulls_not_distinct else ""
    where = f" WHERE {idx.where.text}" if idx.where is not None else ""
    return f"{kind}{name} ({keys}){nulls}{where}"


def _fk(fk: ForeignKey) -> str:
    text = f"foreign key ({', '.join(fk.columns)}) → {fk.ref_table}({', '.join(fk.ref_columns)})"
    if fk.on_delete.value != "NO ACTION":
        text += f" ON DELETE {fk.on_delete.value}"
    if fk.on_update.value != "NO ACTION":
        text += f" ON UPDATE {fk.on_update.value}"
    return text


def _fk_rules(fk: ForeignKey) -> str:
    """What a foreign key does on delete and update, and when it is checked."""
    text = f" ON DELETE {fk.on_delete.value} ON UPDATE {fk.on_update.value}"
    return text + ("" if fk.deferral is Deferral.IMMEDIATE else f" {fk.deferral.value}")


def _column_change(old: Column, new: Column, kind: ch.ColumnChange) -> str:
    parts = []
    if ch.ColumnChange.TYPE in kind:
        parts.append(f"type {old.type or '(none)'} → {new.type or '(none)'}")
    if ch.ColumnChange.NULLABLE in kind:
        parts.append("optional → required" if old.nullable else "required → optional")
    if ch.ColumnChange.DEFAULT in kind:
        before = old.default.text if old.default else "none"
        after = new.default.text if new.default else "none"
        parts.append(f"default {before} → {after}")
    rest = kind & ~(ch.ColumnChange.TYPE | ch.ColumnChange.NULLABLE | ch.ColumnChange.DEFAULT)
    if rest:
        parts.append(f"{rest.describe()} changed")
    return f"~ column {_q(new.name)}: " + ", ".join(parts)


def describe_table_change(change: ch.TableChange) -> str:  # noqa: C901, PLR0911, PLR0912
    # One case per kind of change in the closed vocabulary, matched exhaustively: the
    # branches are the vocabulary's size, not tangled logic.
    match change:
        case ch.AddColumn(column=c):
            return f"+ column {_column(c)}"
        case ch.DropColumn(column=c):
            return f"- column {_q(c.name)}"
        case ch.ModifyColumn(old=old, new=new, kind=kind):
            return _column_change(old, new, kind)
        case ch.RenameColumn(old=o, new=n):
            return f"> column {_q(o)} renamed to {_q(n)}"
        case ch.ModifyPrimaryKey(old=old, new=new) as change:
            if change.renamed_only and old and new:
                return f"> primary key {_q(old.name)} renamed to {_q(new.name)}"
            before = f"({', '.join(old.columns)})" if old else "none"
            after = f"({', '.join(new.columns)})" if new else "none"
            return f"~ primary key {before} → {after}"
        case ch.AddIndex(index=i):
            return f"+ {_index(i)}"
        case ch.DropIndex(index=i):
            return f"- {_index(i)}"
        case ch.RenameIndex(old=o, new=n):
            return f"> index {_q(o.name)} renamed to {_q(n.name)}"
        case ch.AddForeignKey(foreign_key=fk):
            return f"+ {_fk(fk)}"
        case ch.DropForeignKey(foreign_key=fk):
            return f"- {_fk(fk)}"
        case ch.ModifyForeignKey(old=old, new=new):
            link = f"({', '.join(new.columns)}) → {new.ref_table}({', '.join(new.ref_columns)})"
            return f"~ foreign key {link}:{_fk_rules(old)} →{_fk_rules(new)}"
        case ch.AddCheck(check=c):
            return f"+ check ({c.expression.text})"
        case ch.DropCheck(check=c):
            return f"- check ({c.expression.text})"
        case ch.ModifyCheck(old=old, new=new):
            return f"~ check {_q(new.name)} ({old.expression.text}) → ({new.expression.text})"
        case ch.RenameConstraint(old=o, new=n):
            return f"> constraint {_q(o.name)} renamed to {_q(n.name)}"
        case ch.ModifyTableComment(new=comment):
            return f"~ comment: {comment!r}" if comment is not None else "- comment"
        case ch.ModifyTableOptions(old=old, new=new):
            return f"~ table options {' '.join(old) or 'none'} → {' '.join(new) or 'none'}"
        case _:
            assert_never(change)


def describe(change: ch.Change) -> list[str]:  # noqa: C901, PLR0911, PLR0912
    """A change as lines of text: a headline and, for a modified table, one line a part."""
    # One case per kind of change in the closed vocabulary, matched exhaustively: the
    # branches are the vocabulary's size, not tangled logic.
    match change:
        case ch.AddTable(table=t):
            n = len(t.columns)
            return [f"+ table {_qs(t.name, t.schema)} ({n} column{'' if n == 1 else 's'})"]
        case ch.DropTable(table=t):
            return [f"- table {_qs(t.name, t.schema)}"]
        case ch.RenameTable(old=t, new_name=n):
            return [f"> table {_qs(t.name, t.schema)} renamed to {_q(n)}"]
        case ch.ModifyTable(new=t, changes=parts):
            return [f"~ table {_qs(t.name, t.schema)}"] + [
                "    " + describe_table_change(p) for p in parts
            ]
        case ch.AddView(view=v):
            return [f"+ view {_qs(v.name, v.schema)}"]
        case ch.DropView(view=v):
            return [f"- view {_qs(v.name, v.schema)}"]
        case ch.ModifyView(new=v):
            return [f"~ view {_qs(v.name, v.schema)}"]
        case ch.AddTrigger(trigger=t):
            return [f"+ trigger {_q(t.name)} on {_q(t.table)}"]
        case ch.DropTrigger(trigger=t):
            return [f"- trigger {_q(t.name)}"]
        case ch.ModifyTrigger(new=t):
            return [f"~ trigger {_q(t.name)}"]
        case ch.AddVirtualTable(table=t):
            return [f"+ virtual table {_q(t.name)}"]
        case ch.DropVirtualTable(table=t):
            return [f"- virtual table {_q(t.name)}"]
        case ch.ModifyVirtualTable(new=t):
            return [f"~ virtual table {_q(t.name)}"]
        case ch.AddEnum(enum=e):
            return [f"+ enum {_qs(e.name, e.schema)} ({', '.join(e.values)})"]
        case ch.DropEnum(enum=e):
            return [f"- enum {_qs(e.name, e.schema)}"]
        case ch.ModifyEnum(old=o, new=n):
            return [
                f"~ enum {_qs(n.name, n.schema)}: {', '.join(o.values)} → {', '.join(n.values)}"
            ]
        case ch.AddSequence(sequence=s):
            return [f"+ sequence {_qs(s.name, s.schema)}"]
        case ch.DropSequence(sequence=s):
            return [f"- sequence {_qs(s.name, s.schema)}"]
        case ch.ModifySequence(new=s):
            return [f"~ sequence {_qs(s.name, s.schema)}"]
        case ch.AddNamespace(name=name):
            return [f"+ schema {_q(name)}"]
        case ch.AddExtension(extension=ext):
            return [f"+ extension {_q(ext.name)}"]
        case _:
            assert_never(change)


_COLOURS = {"+": "green", "-": "red", "~": "yellow", ">": "cyan"}


def styled(line: str) -> str:
    mark = line.strip()[:1]
    return click.style(line, fg=_COLOURS.get(mark))


def summary_lines(plan: Plan) -> list[str]:
    return [line for change in plan.changes for line in describe(change)]


_RISK_COLOUR = {
    Risk.INFO: "blue",
    Risk.CAUTION: "yellow",
    Risk.DATA_LOSS: "red",
    Risk.UNEXECUTABLE: "red",
}


def findings_to_list(plan: Plan, *, refusable: bool, accept_data_loss: bool) -> list[Finding]:
    """The findings to list with a push's plan. When the push can be refused (not a dry
    run, not a reset), those that stop it are left out: the refusal's message lists them,
    and each finding is printed once."""
    stopping = plan.blocking(accept_data_loss=accept_data_loss) if refusable else ()
    return [f for f in plan.findings if f not in stopping]


def finding_line(finding: Finding) -> str:
    label = click.style(f"[{finding.code} {finding.risk.value}]", fg=_RISK_COLOUR[finding.risk])
    return f"  • {label} {finding.message}"


# --- JSON --------------------------------------------------------------------------------


def change_data(change: ch.Change | ch.TableChange) -> dict[str, Any]:
    kind = type(change).__name__
    if isinstance(change, ch.ModifyTable):
        return {
            "kind": kind,
            "table": change.new.name,
            "changes": [change_data(c) for c in change.changes],
        }
    if isinstance(change, ch.ModifyColumn):
        return {
            "kind": kind,
            "column": change.new.name,
            "what": [m.name.lower() for m in ch.ColumnChange if m and m in change.kind and m.name],
            "old": to_data(change.old),
            "new": to_data(change.new),
        }
    if isinstance(change, ch.RenameTable):
        return {"kind": kind, "table": change.old.name, "new_name": change.new_name}
    data = {f.name: to_data(getattr(change, f.name)) for f in dataclasses.fields(change)}
    return {"kind": kind, **data}


def finding_data(finding: Finding) -> dict[str, Any]:
    data = to_data(finding)
    data["risk"] = finding.risk.value
    return dict(data)


def plan_data(plan: Plan, **extra: Any) -> dict[str, Any]:
    return {
        "dialect": plan.dialect,
        "in_sync": plan.is_empty,
        "changes": [change_data(c) for c in plan.changes],
        "steps": [{"sql": s.sql, "comment": s.comment, "phase": s.phase.value} for s in plan.steps],
        "checked_tables": list(plan.checked_tables),
        "findings": [finding_data(f) for f in plan.findings],
        "data_steps": [
            {"name": s.name, "when": s.when, "hash": s.hash, "not_needed": s.not_needed}
            for s in (*plan.before_steps, *plan.after_steps)
        ],
        **extra,
    }


def step_lines(plan: Plan) -> list[str]:
    """The data steps a push will run, one line each."""
    return [
        f"* data step {s.name} (runs {s.when} the schema change)"
        if s.not_needed is None
        else f"* data step {s.name} ({s.when}): not needed, {s.not_needed}; recorded as done"
        for s in (*plan.before_steps, *plan.after_steps)
    ]


def dump_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)
