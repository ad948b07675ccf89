"""Findings read off the typed changes: what a plan puts at risk, before any data is read.

Each finding has a stable code (documented in docs/findings.md). The wording follows
Prisma's where Prisma has the case, because people search for those sentences.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, assert_never

from trueup.diff import changes as ch
from trueup.model import Column, Table
from trueup.plan.plan import Finding, Risk


class EngineFacts(Protocol):
    """What the findings need to know about the engine (a Dialect answers these)."""

    def is_narrowing(self, old_type: str, new_type: str) -> bool:
        """Whether a type change may not keep every value as it is."""
        ...

    def auto_filled(self, table: Table, column: Column) -> bool:
        """Whether the engine fills the column of existing rows by itself (a rowid alias,
        a serial or identity column)."""
        ...


DROP_TABLE = "DL101"
DROP_COLUMN = "DL102"
NARROWING_TYPE = "DL103"
PRIMARY_KEY = "DL104"
DROP_VIRTUAL_TABLE = "DL105"
ENUM_VALUE_REMOVED = "DL106"
MADE_REQUIRED = "DD201"
REQUIRED_WITHOUT_DEFAULT = "DD202"
NEW_UNIQUE = "DD203"
NEW_FOREIGN_KEY = "DD204"
NEW_CHECK = "DD205"


def assess(changes: Iterable[ch.Change], engine: EngineFacts) -> tuple[Finding, ...]:
    """The findings of a list of changes, with the engine's answers where they differ."""
    out: list[Finding] = []
    for change in changes:
        match change:
            case ch.DropTable(table=t):
                out.append(
                    Finding(
                        DROP_TABLE,
                        Risk.DATA_LOSS,
                        f"You are about to drop the `{t.name}` table. If the table is not empty, "
                        "all the data it contains will be lost.",
                        table=t.name,
                    )
                )
            case ch.DropVirtualTable(table=vt) | ch.ModifyVirtualTable(old=vt):
                out.append(
                    Finding(
                        DROP_VIRTUAL_TABLE,
                        Risk.DATA_LOSS,
                        f"The virtual table `{vt.name}` will be dropped"
                        + (
                            " and created again"
                            if isinstance(change, ch.ModifyVirtualTable)
                            else ""
                        )
                        + "; the data it holds will be lost.",
                        table=vt.name,
                    )
                )
            case ch.ModifyTable(new=t, changes=parts):
                out.extend(_table(t, parts, engine))
            case ch.ModifyEnum(old=old, new=new):
                removed = [v for v in old.values if v not in new.values]
                if removed:
                    out.append(
                        Finding(
                            ENUM_VALUE_REMOVED,
                            Risk.DATA_LOSS,
                            f"The values [{','.join(removed)}] on the enum `{old.name}` will be "
                            "removed. If these variants are still used in the database, this "
                            "will fail.",
                        )
                    )
            case (
                ch.AddTable()
                | ch.RenameTable()
                | ch.AddView()
                | ch.DropView()
                | ch.ModifyView()
                | ch.AddTrigger()
                | ch.DropTrigger()
                | ch.ModifyTrigger()
                | ch.AddVirtualTable()
                | ch.AddEnum()
                | ch.DropEnum()
                | ch.AddNamespace()
            ):
                pass
            case _:
                assert_never(change)
    return tuple(out)


def _table(new_table: Table, parts: Iterable[ch.TableChange], engine: EngineFacts) -> list[Finding]:
    table = new_table.name
    out: list[Finding] = []
    for part in parts:
        match part:
            case ch.DropColumn(column=c):
                out.append(
                    Finding(
                        DROP_COLUMN,
                        Risk.DATA_LOSS,
                        f"You are about to drop the column `{c.name}` on the `{table}` table. "
                        "All the data in the column will be lost.",
                        table=table,
                        column=c.name,
                    )
                )
            case ch.ModifyColumn(old=old, new=new, kind=kind):
                if ch.ColumnChange.TYPE in kind and engine.is_narrowing(old.type, new.type):
                    out.append(
                        Finding(
                            NARROWING_TYPE,
                            Risk.DATA_LOSS,
                            f"You are about to alter the column `{new.name}` on the `{table}` "
                            "table. The data in that column could be lost. The data in that "
                            f"column will be cast from `{old.type or 'no type'}` to "
                            f"`{new.type or 'no type'}`.",
                            table=table,
                            column=new.name,
                        )
                    )
                if ch.ColumnChange.NULLABLE in kind and old.nullable and not new.nullable:
                    if new.default is None:
                        message = (
                            f"Made the column `{new.name}` on table `{table}` required. "
                            "This step will fail if there are existing NULL values in that "
                            "column."
                        )
                    else:
                        message = (
                            f"Made the column `{new.name}` on table `{table}` required; "
                            f"existing NULL values will be set to its default "
                            f"{new.default.text}."
                        )
                    out.append(
                        Finding(MADE_REQUIRED, Risk.CAUTION, message, table=table, column=new.name)
                    )
            case ch.AddColumn(column=c):
                if (
                    not c.nullable
                    and c.default is None
                    and c.generated is None
                    and not engine.auto_filled(new_table, c)
                ):
                    out.append(
                        Finding(
                            REQUIRED_WITHOUT_DEFAULT,
                            Risk.CAUTION,
                            f"Added the required column `{c.name}` to the `{table}` table without "
                            "a default value. This is not possible if the table is not empty.",
                            table=table,
                            column=c.name,
                        )
                    )
            case ch.ModifyPrimaryKey(old=old_pk) if old_pk is not None:
                out.append(
                    Finding(
                        PRIMARY_KEY,
                        Risk.CAUTION,
                        f"The primary key for the `{table}` table will be changed.",
                        table=table,
                    )
                )
            case ch.AddIndex(index=idx) if idx.unique:
                cols = ",".join(idx.columns) or "expression"
                out.append(
                    Finding(
                        NEW_UNIQUE,
                        Risk.CAUTION,
                        f"A unique constraint covering the columns `[{cols}]` on the table "
                        f"`{table}` will be added. If there are existing duplicate values, this "
                        "will fail.",
                        table=table,
                    )
                )
            case ch.AddForeignKey(foreign_key=fk):
                out.append(
                    Finding(
                        NEW_FOREIGN_KEY,
                        Risk.CAUTION,
                        f"A foreign key on `{table}` ({', '.join(fk.columns)}) referencing "
                        f"`{fk.ref_table}` will be added. Rows without a matching parent will "
                        "make this step fail.",
                        table=table,
                    )
                )
            case ch.AddCheck(check=check):
                out.append(
                    Finding(
                        NEW_CHECK,
                        Risk.CAUTION,
                        f"A check constraint ({check.expression.text}) will be added to the "
                        f"`{table}` table. Rows that break it will make this step fail.",
                        table=table,
                    )
                )
            case (
                ch.ModifyPrimaryKey()
                | ch.RenameColumn()
                | ch.AddIndex()
                | ch.DropIndex()
                | ch.RenameIndex()
                | ch.DropForeignKey()
                | ch.DropCheck()
                | ch.ModifyTableOptions()
            ):
                pass
            case _:
                assert_never(part)
    return out
