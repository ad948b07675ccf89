"""The golden cases (tests/golden/<engine>/*.yaml, run by tests/test_golden.py and
tests/test_safety.py).

A case is a starting schema (``current``), rows for it (``data``), a declared schema
(``desired``), the exact statements the planner must produce (``plan``) and the findings it
must report on those rows, with their numbers (``findings``; none when absent).

Each finding is a mapping: ``code`` and ``risk`` always, then ``table``, ``column``,
``rows`` (the rows in the table) and ``count`` (the rows or values at stake) where the
finding has them. They are compared exactly, in the order of :func:`finding_entries`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from trueup.plan import Finding

REQUIRED_KEYS = {"current", "desired", "data", "plan"}
OPTIONAL_KEYS = {"findings", "description"}
#: What a case says of a finding: always its code and risk, the rest where it has them.
FINDING_KEYS = ("code", "risk", "table", "column", "rows", "count")


def load_case(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as f:
        case = yaml.safe_load(f)
    assert isinstance(case, dict), f"{path.name}: a case is a mapping"
    keys = set(case)
    missing = REQUIRED_KEYS - keys
    unknown = keys - REQUIRED_KEYS - OPTIONAL_KEYS
    assert not missing, f"{path.name}: missing keys {sorted(missing)}"
    assert not unknown, f"{path.name}: unknown keys {sorted(unknown)}"
    assert isinstance(case["plan"], list), f"{path.name}: plan is a list of statements"
    assert all(isinstance(s, str) for s in case["plan"]), f"{path.name}: plan holds strings"
    case["findings"] = case.get("findings") or []
    assert isinstance(case["findings"], list), f"{path.name}: findings is a list"
    for entry in case["findings"]:
        assert isinstance(entry, dict), f"{path.name}: a finding is a mapping, not {entry!r}"
        assert {"code", "risk"} <= set(entry) <= set(FINDING_KEYS), (
            f"{path.name}: a finding has code and risk, and only {FINDING_KEYS}: {entry}"
        )
    for key in ("current", "desired", "data"):
        case[key] = case[key] or ""
    return case


def finding_entries(findings: tuple[Finding, ...]) -> list[dict[str, Any]]:
    """Findings as a case writes them, in a stable order."""
    entries = []
    for f in findings:
        values = (f.code, str(f.risk), f.table, f.column, f.rows, f.count)
        entries.append({k: v for k, v in zip(FINDING_KEYS, values, strict=True) if v is not None})
    return sorted(entries, key=lambda e: tuple(str(e.get(k, "")) for k in FINDING_KEYS))
