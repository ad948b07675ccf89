"""What two schemas' catalogs are, object by object, and how they differ: the shape both
oracles (pg_catalog.py, sqlite_catalog.py) give their answer in.

A catalog maps a key naming one object (``TABLE: public.users``) to a canonical text of it.
Two catalogs are equal when they hold the same keys with the same texts. A difference that
is only the order of a table's columns is told apart: a tool cannot put a column in the
middle of a table without rebuilding it, and sqldef's cases are not about it."""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass

Catalog = dict[str, str]


@dataclass(frozen=True, slots=True)
class Difference:
    key: str  # the object: its kind, a colon, its name ("TABLE: public.users")
    kind: str  # "missing" (only in the expected catalog), "extra", "changed", "column order"
    detail: str = ""  # a unified diff of the object's text (expected -> found)

    @property
    def object_kind(self) -> str:
        """The kind of object: the key up to its colon."""
        return self.key.split(": ", 1)[0]

    def render(self) -> str:
        head = f"{self.kind} {self.key}"
        return f"{head}\n{self.detail}" if self.detail else head


def compare(expected: Catalog, found: Catalog) -> list[Difference]:
    """How ``found`` differs from ``expected``, object by object, in key order."""
    out: list[Difference] = []
    for key in sorted(expected.keys() | found.keys()):
        want, got = expected.get(key), found.get(key)
        if got is None:
            out.append(Difference(key, "missing", _indent(want or "")))
        elif want is None:
            out.append(Difference(key, "extra", _indent(got)))
        elif want != got:
            kind = "column order" if _same_lines(want, got) else "changed"
            out.append(Difference(key, kind, unified(want, got)))
    return out


def hard(differences: list[Difference]) -> list[Difference]:
    """The differences that are more than the order of columns."""
    return [d for d in differences if d.kind != "column order"]


def unified(want: str, got: str) -> str:
    lines = difflib.unified_diff(
        want.splitlines(), got.splitlines(), "expected", "found", n=1, lineterm=""
    )
    return "\n".join(list(lines)[2:])


def summary(differences: list[Difference], limit: int = 12) -> str:
    """The first ``limit`` lines of the differences, for a report's table."""
    lines = "\n".join(d.render() for d in differences).splitlines()
    more = f"\n... ({len(lines) - limit} more lines)" if len(lines) > limit else ""
    return "\n".join(lines[:limit]) + more


def _same_lines(a: str, b: str) -> bool:
    """The same lines (a trailing comma aside) in another order."""
    return Counter(x.rstrip(",") for x in a.splitlines()) == Counter(
        x.rstrip(",") for x in b.splitlines()
    )


def _indent(text: str, limit: int = 6) -> str:
    lines = text.splitlines()
    shown = [f"  {x}" for x in lines[:limit]]
    if len(lines) > limit:
        shown.append(f"  ... ({len(lines) - limit} more lines)")
    return "\n".join(shown)
