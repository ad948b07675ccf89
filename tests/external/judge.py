"""One case, judged as ../shared/external/README.md says is fair: load ``current`` into a
fresh database, push ``desired`` with data loss accepted, compare the catalog with a fresh
load of ``desired``, check that ``trueup diff`` then finds nothing, and for a case with
``up``/``down`` push ``current`` back and compare with a fresh load of ``current``.

A case whose ``current`` or ``desired`` the server itself refuses is not a test. A case
sqldef expects its own tool to refuse (``error:``) passes when trueup converges or when it
refuses and leaves the database as it was. ``enable_drop: false`` is sqldef's policy of
not dropping; trueup's contract is the declared schema, so those cases are judged the same
(pushed with data loss accepted)."""

from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from tests.external import trueup_cli
from tests.external.cases import Case
from tests.external.catalog import Catalog, Difference, compare, hard, summary


class Databases(Protocol):
    def fresh(self, label: str) -> str: ...
    def load(self, name: str, text: str, folder: Path) -> str | None: ...
    def describe(self, name: str) -> Catalog: ...
    def url(self, name: str) -> str: ...
    def close(self) -> None: ...


@dataclass(slots=True)
class Outcome:
    case: str
    file: str
    status: str = "fail"  # "pass", "fail", "not loadable", "not applicable"
    loadable: bool | None = None
    push_exit: int | None = None
    converged: bool | None = None
    diff_empty: bool | None = None
    reversible: bool = False
    reversed: bool | None = None
    column_order_only: bool = False  # converged, but columns in another order
    force_reset: bool = False  # the declared schema was empty: pushed with --force-reset
    expects_error: bool = False
    silently_different: bool = False  # push 0 and diff "in sync", yet the catalogs differ
    cause: str = ""  # the failure's group
    detail: str = ""  # the first lines of the difference or error
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def judge(case: Case, dbs: Databases, folder: Path, timeout: float) -> Outcome:
    """Run ``case`` (``folder`` is its own) and say how trueup did."""
    started = time.monotonic()
    out = Outcome(
        case.name, case.file, reversible=case.reversible, expects_error=case.error is not None
    )
    try:
        _judge(case, dbs, folder, out, started + timeout)
    finally:
        dbs.close()
        out.seconds = round(time.monotonic() - started, 2)
    return out


def _judge(case: Case, dbs: Databases, folder: Path, out: Outcome, deadline: float) -> None:
    cur, want = dbs.fresh("c"), dbs.fresh("w")
    for which, name, text in (("current", cur, case.current), ("desired", want, case.desired)):
        refused = dbs.load(name, text, folder)
        if refused is not None:
            out.status, out.loadable = "not loadable", False
            out.cause = f"{which} not loadable"
            out.detail = first_lines(refused)
            return
    out.loadable = True
    before, expected = dbs.describe(cur), dbs.describe(want)
    desired_sql, current_sql = folder / "desired.sql", folder / "current.sql"
    desired_sql.write_text(case.desired)
    current_sql.write_text(case.current)

    pushed, out.force_reset = trueup_cli.push(
        desired_sql, dbs.url(cur), folder, _left(deadline), concurrent=case.concurrent_indexes
    )
    out.push_exit = pushed.exit
    after = dbs.describe(cur)
    if pushed.exit != 0:
        if case.error is not None and not hard(compare(before, after)):
            out.status, out.cause = "pass", ""
            out.detail = "refused, as sqldef expects: " + first_lines(pushed.error(), 3)
            return
        out.cause = _failed("push", pushed)
        out.detail = first_lines(pushed.error())
        return
    differences = compare(expected, after)
    out.converged = not hard(differences)
    out.column_order_only = bool(differences) and out.converged
    checked = trueup_cli.diff(desired_sql, dbs.url(cur), folder, _left(deadline))
    out.diff_empty = checked.exit == 0
    if not out.converged:
        out.silently_different = out.diff_empty
        out.cause = _not_converged("push", differences, silently=out.diff_empty)
        out.detail = summary(hard(differences))
        return
    if not out.diff_empty:
        out.cause = _failed("diff after push", checked)
        out.detail = first_lines(checked.output, 8)
        return
    if case.reversible:
        _reverse(current_sql, before, dbs, cur, folder, out, deadline)
    if not out.cause:
        out.status = "pass"


def _reverse(
    schema: Path,
    before: Catalog,
    dbs: Databases,
    cur: str,
    folder: Path,
    out: Outcome,
    deadline: float,
) -> None:
    back, reset = trueup_cli.push(schema, dbs.url(cur), folder, _left(deadline))
    out.force_reset |= reset
    if back.exit != 0:
        out.reversed = False
        out.cause = _failed("push back", back)
        out.detail = first_lines(back.error())
        return
    differences = hard(compare(before, dbs.describe(cur)))
    out.reversed = not differences
    if differences:
        out.cause = _not_converged("push back", differences, silently=False)
        out.detail = summary(differences)


def _left(deadline: float) -> float:
    return max(deadline - time.monotonic(), 1.0)


def _failed(stage: str, run: trueup_cli.Run) -> str:
    if run.exit is None:
        return f"{stage}: timeout"
    return f"{stage} exits {run.exit}: {error_pattern(run.error())}"


def _not_converged(stage: str, differences: list[Difference], *, silently: bool) -> str:
    kinds = sorted({f"{d.object_kind} {d.kind}" for d in differences})
    how = "silently different (diff says in sync)" if silently else "not converged"
    return f"{stage}: {how}: {', '.join(kinds)}"


def error_pattern(text: str) -> str:
    """The first line of an error, its names, numbers and positions made placeholders, so
    errors of one kind group together."""
    lines = [x.strip() for x in text.strip().splitlines() if x.strip()]
    line = lines[0] if lines else ""
    line = re.sub(r"^Error:\s*", "", line)
    line = re.sub(r"\S+\.(?:sql|db):\d+(?::\d+)?", "FILE:LINE", line)
    line = re.sub(r'"[^"]*"', '"…"', line)
    line = re.sub(r"'[^']*'", "'…'", line)
    line = re.sub(r"\b\d+\b", "N", line)
    return line[:140]


def first_lines(text: str, limit: int = 6) -> str:
    lines = [x.rstrip() for x in text.strip().splitlines()]
    more = f"\n... ({len(lines) - limit} more lines)" if len(lines) > limit else ""
    return "\n".join(lines[:limit]) + more
