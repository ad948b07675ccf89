"""What a run found, written down: a folder per difference (the minimal schema, ready to
run, and what each tool said), and a plain list of them all."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from tests.prisma.fuzz.cases import Case
from tests.prisma.fuzz.harness import Finding
from tests.prisma.fuzz.oracle import Files, write_files


@dataclass
class Found:
    """A kind of difference: how often it turned up, the first case, and that case made
    small."""

    finding: Finding
    case: Case
    count: int = 1
    minimal: Files | None = None
    minimal_finding: Finding | None = None
    providers: set[str] = field(default_factory=set)
    folder: Path | None = None  # where it is written

    @property
    def shown(self) -> tuple[Files, Finding]:
        if self.minimal is not None and self.minimal_finding is not None:
            return self.minimal, self.minimal_finding
        return self.case.files, self.finding


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def schema_text(files: Files) -> str:
    if len(files) == 1:
        return files[0][1]
    return "\n".join(f"// ---- file {name}\n{text}" for name, text in files)


def write_found(folder: Path, number: int, found: Found) -> Path:
    files, finding = found.shown
    where = folder / f"{number:03d}-{slug(finding.category)}"
    where.mkdir(parents=True, exist_ok=True)
    write_files(where, files)
    (where / "original").mkdir(exist_ok=True)
    write_files(where / "original", found.case.files)
    (where / "finding.md").write_text(describe(found), encoding="utf-8")
    return where


def describe(found: Found) -> str:
    files, finding = found.shown
    lines = [
        f"# {finding.signature}",
        "",
        f"- engine: {found.case.provider}; seen {found.count} times "
        f"(on {', '.join(sorted(found.providers))})",
        f"- first seen in a {found.case.kind} case"
        + (f" ({found.case.note})" if found.case.note else ""),
        "",
        "## Schema" + (" (made small)" if found.minimal is not None else ""),
        "",
        "```prisma",
        schema_text(files).rstrip("\n"),
        "```",
        "",
        "## Prisma",
        "",
        "```",
        finding.prisma.rstrip() or "(nothing)",
        "```",
        "",
        "## trueup",
        "",
        "```",
        finding.trueup.rstrip()[-4000:] or "(nothing)",
        "```",
        "",
    ]
    return "\n".join(lines)


def summary(
    found: dict[str, Found], counts: dict[str, int], stages: dict[str, int], seconds: float
) -> str:
    total = counts.get("cases", 0)
    lines = [
        f"{total} cases in {seconds:.0f} s ({seconds / max(total, 1):.2f} s a case): "
        + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if k != "cases"),
        "; ".join(f"{k}: {v}" for k, v in stages.items()),
        f"{sum(f.count for f in found.values())} cases differ, {len(found)} kinds of difference:",
    ]
    for signature, item in sorted(found.items(), key=lambda kv: -kv[1].count):
        lines.append(f"  {item.count:5d}  {signature}  [{', '.join(sorted(item.providers))}]")
    return "\n".join(lines)


def findings_list(found: dict[str, Found], header: str) -> str:
    """All the differences as one plain list: the reproducer, Prisma's verdict, trueup's."""
    parts = [header, ""]
    for n, (_, item) in enumerate(sorted(found.items(), key=lambda kv: -kv[1].count), 1):
        parts.append(f"## {n}. {item.shown[1].signature}")
        parts.append("")
        parts.append(describe(item).split("\n", 2)[2])
    return "\n".join(parts)
