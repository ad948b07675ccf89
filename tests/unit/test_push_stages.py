"""Each stage of a push on its own, on real SQLite files: the plan stage changes nothing, the
gate refuses and permits, the quick path reads nothing, the apply stage applies and
verifies, the history records what was done."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from trueup import history
from trueup.engines import get_dialect
from trueup.engines.sqlite.session import SQLiteSession
from trueup.errors import ApplyError, SchemaError, UnsafePlan
from trueup.plan import Phase, Plan, Risk, Step
from trueup.push import plan_with, push_with
from trueup.push_apply import apply_push
from trueup.push_backup import Backup
from trueup.push_gate import check_fingerprint, gate
from trueup.push_load import load_declared
from trueup.push_options import PushOptions
from trueup.push_plan import Planned, plan_push
from trueup.push_quick import in_sync_at_once, quick_key
from trueup.push_session import Run, locked
from trueup.sources.declared import Declared, Source
from trueup.urls import parse_url

BEFORE = "CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT NOT NULL, bio TEXT);"
ROWS = "INSERT INTO person VALUES (1, 'ada', 'maths'), (2, 'alan', NULL);"
# The column bio goes (its data with it), a table comes.
AFTER = (
    "CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
    "CREATE TABLE pet (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
)

ASKED_NOTHING = PushOptions()


@dataclass
class Project:
    db: Path
    schema: Path

    @property
    def url(self) -> Any:
        return parse_url(str(self.db))

    def source(self) -> Source:
        return Source(str(self.schema), "sqlite")

    def step(self, name: str, text: str) -> None:
        folder = self.schema.parent / "trueup" / "steps"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    db = tmp_path / "app.db"
    conn = sqlite3.connect(db)
    conn.executescript(BEFORE + ROWS)
    conn.commit()
    conn.close()
    schema = tmp_path / "schema.sql"
    schema.write_text(AFTER)
    return Project(db, schema)


def state(path: Path) -> tuple[bytes, list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The file's bytes, its catalog and the rows of ``person``: what "nothing changed"
    means."""
    conn = sqlite3.connect(path)
    try:
        catalog = conn.execute("SELECT type, name, sql FROM sqlite_schema ORDER BY name").fetchall()
        rows = conn.execute("SELECT * FROM person ORDER BY id").fetchall()
    finally:
        conn.close()
    return path.read_bytes(), catalog, rows


def columns(path: Path, table: str) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
    finally:
        conn.close()


@contextlib.contextmanager
def run_on(
    project: Project, options: PushOptions = ASKED_NOTHING, *, backup: Backup | None = None
) -> Iterator[Run]:
    """A push's run on the project's database: its session locked for writing, in the
    push's transaction (rolled back if the test leaves it open)."""
    dialect = get_dialect("sqlite")
    timeout = options.lock_timeout
    with locked(dialect, project.url, write=True, missing=False, timeout=timeout) as session:
        try:
            yield Run(session, dialect, options, backup)
        finally:
            session.rollback()


def planned_on(project: Project, run: Run) -> Planned:
    return plan_push(run, project.source(), quick_key(run.session, project.source(), run.options))


# --- the load stage ---------------------------------------------------------------------------


def test_the_load_stage_reads_every_form_of_declared_schema(project: Project) -> None:
    declared = project.source().load()
    forms: list[Any] = [project.source(), declared, declared.schema, project.source().load]
    with run_on(project) as run:
        for desired in forms:
            got, early = load_declared(run.session, desired)
            assert got.schema == declared.schema
            assert early is None  # SQLite is inspected after, not meanwhile


def test_a_new_database_is_made_only_for_a_schema_that_loads(tmp_path: Path) -> None:
    (tmp_path / "schema.sql").write_text(AFTER)
    db = tmp_path / "new.db"
    there_when_read: list[bool] = []
    source = Source(str(tmp_path / "schema.sql"), "sqlite")
    source.on_load = lambda declared: there_when_read.append(db.exists())
    result = push_with(parse_url(str(db)), source, ASKED_NOTHING)
    assert result.created and result.applied
    assert there_when_read == [False]
    (tmp_path / "schema.sql").write_text("CREATE TABLE t (id INTEGER PRIMARY KEY, x BOGUS(;\n")
    with pytest.raises(SchemaError):
        push_with(
            parse_url(str(tmp_path / "other.db")),
            Source(str(tmp_path / "schema.sql")),
            ASKED_NOTHING,
        )
    assert not (tmp_path / "other.db").exists()


# --- the plan stage ---------------------------------------------------------------------------


def test_the_plan_stage_makes_the_plan_and_changes_nothing(project: Project) -> None:
    project.step("001.sql", "-- trueup:before\nUPDATE person SET name = upper(name);\n")
    was = state(project.db)
    with run_on(project) as run:
        planned = plan_push(run, project.source())
        plan = planned.plan
        assert [s.name for s in plan.before_steps] == ["001.sql"]  # ran, in the transaction
        assert run.session.query("SELECT name FROM person ORDER BY id") == [("ADA",), ("ALAN",)]
    assert plan.changes
    assert [f.risk for f in plan.findings] == [Risk.DATA_LOSS]
    assert "bio" in plan.findings[0].message
    assert state(project.db) == was


def test_a_dry_run_is_the_plan_stage_alone(project: Project) -> None:
    project.step("001.sql", "-- trueup:before\nDELETE FROM person;\n")
    was = state(project.db)
    seen: list[Plan] = []
    result = plan_with(project.url, project.source(), PushOptions(on_plan=seen.append))
    assert not result.applied
    assert seen == [result.plan]
    # Planned as a push sees it, after the step: the column that goes holds no data now.
    assert result.plan.changes and not result.plan.findings
    assert state(project.db) == was


def test_a_dry_run_of_a_missing_database_makes_nothing(tmp_path: Path) -> None:
    (tmp_path / "schema.sql").write_text(AFTER)
    result = plan_with(
        parse_url(str(tmp_path / "new.db")),
        Source(str(tmp_path / "schema.sql"), "sqlite"),
        PushOptions(),
    )
    assert [type(c).__name__ for c in result.plan.changes] == ["AddTable", "AddTable"]
    assert not (tmp_path / "new.db").exists()


def test_the_plan_stage_stops_on_a_schema_changed_since_the_reviewed_plan(
    project: Project,
) -> None:
    options = PushOptions(expected_fingerprint="not this one")
    with run_on(project, options) as run, pytest.raises(UnsafePlan, match="no longer the one"):
        plan_push(run, project.source())
    check_fingerprint("abc", PushOptions(expected_fingerprint="abc"))
    check_fingerprint("abc", PushOptions())


# --- the gate ---------------------------------------------------------------------------------


def test_the_gate_refuses_data_loss_unless_accepted(project: Project) -> None:
    with run_on(project) as run:
        plan = plan_push(run, project.source()).plan
    with pytest.raises(UnsafePlan, match="data loss") as refused:
        gate(plan, PushOptions())
    assert refused.value.plan is plan
    gate(plan, PushOptions(accept_data_loss=True))
    gate(plan, PushOptions(force_reset=True))


def test_the_gate_refuses_what_the_data_makes_impossible_even_accepted(project: Project) -> None:
    project.schema.write_text(
        "CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT NOT NULL, bio TEXT NOT NULL);"
    )
    with run_on(project) as run:
        plan = plan_push(run, project.source()).plan
    assert [f.risk for f in plan.findings] == [Risk.UNEXECUTABLE]  # alan has no bio
    with pytest.raises(UnsafePlan, match="cannot be executed"):
        gate(plan, PushOptions(accept_data_loss=True))
    gate(plan, PushOptions(force_reset=True))


def test_the_gate_refuses_a_plan_other_than_the_agreed_one(project: Project) -> None:
    with run_on(project) as run:
        plan = plan_push(run, project.source()).plan
    other = (*plan.statements, (Phase.IN_TRANSACTION, "SELECT 1"))
    accepted = PushOptions(accept_data_loss=True, expected_steps=other)
    with pytest.raises(UnsafePlan, match="no longer the one that was shown"):
        gate(plan, accepted)
    gate(plan, PushOptions(accept_data_loss=True, expected_steps=plan.statements))


# --- the quick path ---------------------------------------------------------------------------


class CountedSource(Source):
    loads: int = 0

    def load(self) -> Declared:
        self.loads += 1
        return super().load()


@pytest.fixture
def inspections(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Each time a SQLite session inspects its database (the real inspection runs)."""
    seen: list[int] = []
    inspect = SQLiteSession.inspect

    def counted(self: SQLiteSession) -> Any:
        seen.append(1)
        return inspect(self)

    monkeypatch.setattr(SQLiteSession, "inspect", counted)
    return seen


def test_the_quick_path_skips_reading_both_schemas(
    project: Project, inspections: list[int]
) -> None:
    push_with(project.url, project.source(), PushOptions(accept_data_loss=True))
    with run_on(project) as run:
        assert in_sync_at_once(
            run.session, run.dialect, quick_key(run.session, project.source(), run.options)
        )
    source = CountedSource(str(project.schema), "sqlite")
    inspections.clear()
    seen: list[Plan] = []
    result = push_with(project.url, source, PushOptions(on_plan=seen.append))
    assert result.plan.is_empty and not result.applied
    assert [p.is_empty for p in seen] == [True]
    assert source.loads == 0
    assert inspections == []


def test_the_quick_path_misses_when_the_schema_changed_outside(project: Project) -> None:
    push_with(project.url, project.source(), PushOptions(accept_data_loss=True))
    conn = sqlite3.connect(project.db)
    conn.execute("CREATE INDEX person_name ON person (name)")
    conn.close()
    with run_on(project) as run:
        key = quick_key(run.session, project.source(), run.options)
        assert key is not None and key.digest is not None
        assert not in_sync_at_once(run.session, run.dialect, key)


def test_the_quick_path_is_not_taken_where_a_push_must_read_the_schema(project: Project) -> None:
    push_with(project.url, project.source(), PushOptions(accept_data_loss=True))
    for options in (PushOptions(force_reset=True), PushOptions(with_fingerprint=True)):
        with run_on(project, options) as run:
            key = quick_key(run.session, project.source(), options)
            assert key is not None and key.digest is None
            assert not in_sync_at_once(run.session, run.dialect, key)
    with run_on(project) as run:  # a declared schema read already has no key
        assert quick_key(run.session, project.source().load(), run.options) is None


def test_a_database_found_in_sync_takes_the_quick_path_next_time(project: Project) -> None:
    """One made outside trueup: the first push compares in full and notes the result."""
    conn = sqlite3.connect(project.db)
    conn.executescript("ALTER TABLE person DROP COLUMN bio;\n" + AFTER.splitlines()[1])
    conn.close()
    first = push_with(project.url, project.source(), PushOptions())
    assert first.plan.is_empty and first.history_id is None
    source = CountedSource(str(project.schema), "sqlite")
    push_with(project.url, source, PushOptions())
    assert source.loads == 0
    with run_on(project) as run:
        assert [e.kind for e in history.entries(run.session, run.dialect)] == ["sync"]


# --- the apply stage and the history -----------------------------------------------------------


def test_apply_push_applies_verifies_and_commits(project: Project) -> None:
    options = PushOptions(accept_data_loss=True)
    with run_on(project, options, backup=Backup(None)) as run:
        planned = planned_on(project, run)
        applied = apply_push(planned)
    assert applied.plan.sql == planned.plan.sql
    assert columns(project.db, "person") == ["id", "name"]
    assert columns(project.db, "pet") == ["id", "name"]
    assert state(project.db)[2] == [(1, "ada"), (2, "alan")]
    assert plan_with(project.url, project.source(), PushOptions()).plan.is_empty


def test_apply_push_goes_through_the_gate_first(project: Project) -> None:
    was = state(project.db)
    backups: list[Plan] = []

    def hook(plan: Plan) -> str:
        backups.append(plan)
        return "x"

    with run_on(project, backup=Backup(hook)) as run, pytest.raises(UnsafePlan):
        apply_push(planned_on(project, run))
    assert backups == []  # refused before the backup
    assert state(project.db) == was


def test_a_failing_after_step_leaves_nothing_changed(project: Project) -> None:
    project.step("002.sql", "-- trueup:after\nUPDATE person SET nope = 1;\n")
    was = state(project.db)
    options = PushOptions(accept_data_loss=True)
    with run_on(project, options, backup=Backup(None)) as run, pytest.raises(ApplyError):
        apply_push(planned_on(project, run))
    assert state(project.db) == was


def test_the_history_records_the_push(project: Project) -> None:
    project.step("001.sql", "-- trueup:before\nUPDATE person SET name = upper(name);\n")
    project.step("002.sql", "-- trueup:after\nINSERT INTO pet VALUES (1, 'rex');\n")
    backups: list[Plan] = []

    def hook(plan: Plan) -> str:
        backups.append(plan)
        return "/backups/app.db.1"

    options = PushOptions(accept_data_loss=True)
    with run_on(project, options, backup=Backup(hook)) as run:
        planned = planned_on(project, run)
        applied = apply_push(planned)
        [entry] = history.entries(run.session, run.dialect)
    # Taken once, before the first write: the before step, with the schema not yet planned.
    assert [(len(p.before_steps), p.changes) for p in backups] == [(1, ())]
    assert entry.id == applied.history_id
    assert entry.kind == "push"
    assert entry.statements == tuple(applied.plan.sql)
    assert entry.backup == "/backups/app.db.1"
    assert planned.key is not None and entry.push_key == planned.key.push_key
    assert entry.flags == {"accept_data_loss": True, "force_reset": False, "renames": False}
    assert [s["name"] for s in entry.data_steps] == ["001.sql", "002.sql"]
    assert [f["risk"] for f in entry.findings] == ["data-loss"]
    assert state(project.db)[2] == [(1, "ADA"), (2, "ALAN")]


def test_a_failing_backup_stops_the_push(project: Project) -> None:
    was = state(project.db)

    def hook(plan: Plan) -> str:
        raise OSError("disk full")

    options = PushOptions(accept_data_loss=True, before_apply=hook)
    with pytest.raises(OSError, match="disk full"):
        push_with(project.url, project.source(), options)
    assert state(project.db) == was


def test_push_with_reports_what_was_done(project: Project) -> None:
    numbers: list[tuple[int, int]] = []

    def on_step(number: int, total: int, step: Step) -> None:
        numbers.append((number, total))

    options = PushOptions(accept_data_loss=True, before_apply=lambda plan: "b.db", on_step=on_step)
    result = push_with(project.url, project.source(), options)
    assert result.applied and result.backup == "b.db" and result.history_id == 1
    total = len(result.plan.steps)
    assert numbers == [(n, total) for n in range(1, total + 1)]
    with run_on(project) as run:
        [entry] = history.entries(run.session, run.dialect)
    assert entry.backup == "b.db" and entry.statements == tuple(result.plan.sql)
