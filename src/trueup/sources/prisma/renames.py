"""Rename hints written as documentation comments::

    /// @renamed from=people
    model Person {
      /// @renamed from=fullName
      name String @map("name")
    }

``from`` is the old database name; the hint maps it to the model's (or field's) database
name now, after ``@@map``/``@map``. A hint whose old name is gone is simply not applied
(see :mod:`trueup.diff.renames`), so it may stay in the file.
"""

from __future__ import annotations

import re

from trueup.diff.renames import Renames
from trueup.sources.prisma.datamodel import DataModel
from trueup.sources.prisma.source import Pos, fail
from trueup.sources.prisma.syntax import Document

_HINT = re.compile(r"^@renamed\b(.*)$")
_FROM = re.compile(r'^\s*from\s*=\s*(?:"([^"]+)"|([^\s"]+))\s*$')


def rename_hints(doc: Document, data: DataModel) -> Renames:
    tables: dict[str, str] = {}
    columns: dict[tuple[str, str], str] = {}
    for m in doc.models:
        if m.kind != "model":
            continue
        model = data.model(m.name)
        for old in _hints(m.doc, m.pos):
            tables[old] = model.db_name
        for f in m.fields:
            hints = _hints(f.doc, f.pos)
            if not hints:
                continue
            scalar = model.field(f.name)
            if scalar is None:
                raise fail(
                    f.pos,
                    f"`@renamed` on the relation field `{f.name}` has no meaning: put it on the "
                    "scalar fields that hold the key.",
                )
            for old in hints:
                columns[(model.db_name, old)] = scalar.db_name
    return Renames(tables, columns)


def _hints(doc: tuple[str, ...], pos: Pos) -> list[str]:
    out = []
    for line in doc:
        m = _HINT.match(line.strip())
        if not m:
            continue
        arg = _FROM.match(m.group(1))
        if not arg:
            raise fail(
                pos,
                f"Cannot read the rename hint `/// {line.strip()}`: expected "
                "`/// @renamed from=oldName`.",
            )
        out.append(arg.group(1) or arg.group(2))
    return out
