"""A run's results: the figures, the failures grouped by cause, and one row per case,
written as results.json and results.md into the output folder."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from tests.external.judge import Outcome


def figures(outcomes: list[Outcome]) -> dict[str, Any]:
    """Counts, and percentages of the loadable cases (of the reversible ones for the push
    back)."""
    tests = [o for o in outcomes if o.loadable]
    reversible = [o for o in tests if o.reversible]
    counts = {
        "cases": len(outcomes),
        "not applicable": sum(o.status == "not applicable" for o in outcomes),
        "not loadable": sum(o.status == "not loadable" for o in outcomes),
        "loadable": len(tests),
        "passed": sum(o.status == "pass" for o in tests),
        "push exit 0": sum(o.push_exit == 0 for o in tests),
        "converged": sum(bool(o.converged) for o in tests),
        "converged, columns in another order": sum(o.column_order_only for o in tests),
        "diff empty after push": sum(bool(o.diff_empty) for o in tests),
        "silently different": sum(o.silently_different for o in tests),
        "reversible": len(reversible),
        "reversed": sum(bool(o.reversed) for o in reversible),
    }
    base = {
        "passed": len(tests),
        "push exit 0": len(tests),
        "converged": len(tests),
        "diff empty after push": len(tests),
        "silently different": len(tests),
        "reversed": len(reversible),
    }
    percent = {k: _percent(counts[k], n) for k, n in base.items()}
    return {"counts": counts, "percent": percent}


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def groups(outcomes: list[Outcome]) -> list[dict[str, Any]]:
    """The failures of loadable cases by cause, most frequent first, each with one
    example."""
    failed = [o for o in outcomes if o.loadable and o.status != "pass"]
    count = Counter(o.cause for o in failed)
    first = {o.cause: o for o in reversed(failed)}
    return [
        {
            "cause": cause,
            "count": n,
            "example": f"{first[cause].file}:{first[cause].case}",
            "detail": first[cause].detail,
        }
        for cause, n in count.most_common()
    ]


def write(folder: Path, suite: str, outcomes: list[Outcome], meta: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    result = {
        "suite": suite,
        **meta,
        **figures(outcomes),
        "groups": groups(outcomes),
        "cases": [o.as_dict() for o in outcomes],
    }
    (folder / "results.json").write_text(json.dumps(result, indent=2) + "\n")
    (folder / "results.md").write_text(markdown(suite, outcomes, meta))


def markdown(suite: str, outcomes: list[Outcome], meta: dict[str, Any]) -> str:
    fig = figures(outcomes)
    lines = [f"# {suite}: trueup against sqldef's cases", ""]
    lines += [f"- {k}: {v}" for k, v in meta.items()]
    lines += ["", "| figure | cases | % |", "|---|---|---|"]
    for key, n in fig["counts"].items():
        pct = fig["percent"].get(key)
        lines.append(f"| {key} | {n} | {'' if pct is None else pct} |")
    lines += ["", "## Failures by cause", "", "| cause | cases | example |", "|---|---|---|"]
    for g in groups(outcomes):
        lines.append(f"| {_cell(g['cause'])} | {g['count']} | {_cell(g['example'])} |")
    lines += ["", "## Cases", ""]
    lines.append(
        "| case | file | loadable | push exit | converged | diff empty | reversed | status "
        "| difference or error |"
    )
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for o in outcomes:
        exit_code = "" if o.push_exit is None else str(o.push_exit)
        cells = [o.case, o.file, _yn(o.loadable), exit_code]
        cells += [_yn(o.converged), _yn(o.diff_empty), _yn(o.reversed), o.status]
        cells.append(_cell(o.detail))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _yn(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _cell(text: str, limit: int = 300) -> str:
    one = " ⏎ ".join(x.strip() for x in text.splitlines() if x.strip())
    one = one if len(one) <= limit else one[: limit - 1] + "…"
    return one.replace("|", "\\|")
