"""The blocks of a pulled Prisma schema and their text, laid out as ``prisma format`` lays
them out: one block per model or enum, field names, types and attributes in aligned
columns, block attributes after a blank line."""

from __future__ import annotations

from dataclasses import dataclass, field

from trueup.sources.prisma.pull.naming import string

INDENT = "  "


@dataclass(slots=True)
class FieldLine:
    name: str
    type: str
    attributes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Block:
    """A model or an enum. ``docs`` become ``///`` lines (Prisma's documentation),
    ``notes`` plain ``//`` comments above the block."""

    keyword: str
    name: str
    fields: list[FieldLine] = field(default_factory=list)
    attributes: list[str] = field(default_factory=list)
    docs: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def field(self, name: str) -> FieldLine | None:
        return next((f for f in self.fields if f.name == name), None)


def datasource(provider: str) -> str:
    return "\n".join(
        (
            "datasource db {",
            f"{INDENT}provider = {string(provider)}",
            f'{INDENT}url      = env("DATABASE_URL")',
            "}",
        )
    )


def block_text(block: Block) -> str:
    lines = [f"// {n}" if n else "//" for n in block.notes]
    lines += [f"/// {d}" for d in block.docs]
    lines.append(f"{block.keyword} {block.name} {{")
    name_width = max((len(f.name) for f in block.fields), default=0)
    type_width = max((len(f.type) for f in block.fields), default=0)
    for f in block.fields:
        if not f.type:
            # An enum value: the name, then its attributes.
            line = f.name.ljust(name_width) + " " + " ".join(f.attributes)
        else:
            line = f.name.ljust(name_width) + " " + f.type.ljust(type_width)
            line += " " + " ".join(f.attributes)
        lines.append(INDENT + line.rstrip())
    if block.attributes:
        if block.fields:
            lines.append("")
        lines += [INDENT + a for a in block.attributes]
    lines.append("}")
    return "\n".join(lines)


def schema_text(provider: str, blocks: list[Block], footer: list[str]) -> str:
    parts = [datasource(provider), *(block_text(b) for b in blocks)]
    if footer:
        parts.append("\n".join(f"// {line}" if line else "//" for line in footer))
    return "\n\n".join(parts) + "\n"
