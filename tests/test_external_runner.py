"""The runner of the external suites (tests/external/run.py) on cases of its own
(tests/external/cases/): a pass both ways, a ``user:`` case, a case the server refuses, one
for another server version, and one no push can make converge. Each suite runs in a
process of its own, as scripts/external-psqldef runs it, the PostgreSQL one on a throwaway
cluster of its own (the roles it creates stay there)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.external.cases import Case, not_applicable
from tests.external.judge import error_pattern

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "external" / "cases"


def _run(suite: str, out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tests.external.run", suite, str(out), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _results(out: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    data = json.loads((out / "results.json").read_text())
    return data, {c["case"]: c for c in data["cases"]}


def test_the_postgresql_runner_judges_each_kind_of_case(tmp_path: Path) -> None:
    done = _run("psqldef", tmp_path, "--cases", str(CASES / "psqldef.yml"), "--jobs", "2")
    assert done.returncode == 0, done.stderr
    data, cases = _results(tmp_path)
    status = {name: c["status"] for name, c in cases.items()}
    assert status == {
        "AddColumn": "pass",
        "OnTheRoleSearchPath": "pass",
        "DesiredRefusedByTheServer": "not loadable",
        "NeedsANewerServer": "not applicable",
        "CannotConverge": "fail",
    }
    assert cases["AddColumn"]["reversed"] is True
    assert "syntax error" in cases["DesiredRefusedByTheServer"]["detail"]
    assert cases["CannotConverge"]["cause"]
    assert data["counts"]["loadable"] == 3 and data["percent"]["passed"] == 66.7
    assert [g["example"] for g in data["groups"]] == ["psqldef.yml:CannotConverge"]
    text = (tmp_path / "results.md").read_text()
    assert "## Failures by cause" in text and "| AddColumn | psqldef.yml | yes | 0 |" in text


def test_the_sqlite_runner_judges_each_kind_of_case(tmp_path: Path) -> None:
    done = _run("sqlite3def", tmp_path, "--cases", str(CASES / "sqlite3def.yml"))
    assert done.returncode == 0, done.stderr
    _, cases = _results(tmp_path)
    assert {name: c["status"] for name, c in cases.items()} == {
        "AddIndex": "pass",
        "CreateView": "pass",
        "DesiredRefusedByTheServer": "not loadable",
    }
    assert cases["AddIndex"]["reversed"] is True


def test_missing_external_data_is_said_plainly(tmp_path: Path) -> None:
    done = _run("sqlite3def", tmp_path / "out", "--external", str(tmp_path / "nowhere"))
    assert done.returncode == 2
    assert "does not exist" in done.stderr and "../shared/external" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_case_applies_as_sqldef_decides() -> None:
    case = Case("c", "f.yml", min_version="10", max_version="15.4")
    assert not_applicable(case, "15.4 (Debian)") is None
    assert not_applicable(case, "9.6") == "needs server version >= 10"
    assert not_applicable(case, "15.18") == "needs server version <= 15.4"
    assert not_applicable(Case("c", "f.yml", flavor="pgvector"), "15") is not None
    assert not_applicable(Case("c", "f.yml", flavor="pgvector"), "15", "pgvector") is None
    assert not_applicable(Case("c", "f.yml", flavor="!pgvector"), "15") is None


def test_errors_of_one_kind_group_together() -> None:
    one = error_pattern('Error: desired.sql:3:5: type "email" does not exist\nmore')
    other = error_pattern('Error: other.sql:12:1: type "mood" does not exist')
    assert one == other == 'FILE:LINE: type "…" does not exist'
