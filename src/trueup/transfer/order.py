"""The order tables are exported and imported in: every table after the tables its foreign
keys point at, so rows can go in with foreign keys enforced."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from trueup.model import Table


def parents_first(tables: Sequence[Table], key: Callable[[str], str] = str.lower) -> list[Table]:
    """``tables`` in dependency order; ties (and tables in a cycle, which no order can
    satisfy) go by name, so the order is the same every time."""
    by_key = {key(t.name): t for t in tables}
    parents = {
        key(t.name): {
            key(fk.ref_table)
            for fk in t.foreign_keys
            if key(fk.ref_table) in by_key and key(fk.ref_table) != key(t.name)
        }
        for t in tables
    }
    done: set[str] = set()
    out: list[Table] = []
    remaining = sorted(by_key)
    while remaining:
        ready = [k for k in remaining if parents[k] <= done]
        # A cycle: take the first table by name and go on; the rows still go in whole
        # because the import checks foreign keys at the end, not row by row.
        batch = ready or remaining[:1]
        for k in batch:
            out.append(by_key[k])
            done.add(k)
        remaining = [k for k in remaining if k not in done]
    return out
