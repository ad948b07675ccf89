"""Data steps: SQL that runs with a push, in its transaction, once per content.

A declared schema says what the tables look like, not how the rows get from the old shape to
the new one. A data step does: a ``.sql`` file in ``trueup/steps/`` beside the schema, whose
first line says when it runs::

    -- trueup:before      (before the schema change is planned and applied)
    -- trueup:after       (after it, before the push commits)

Steps run in file-name order. Each runs once: its content hash is recorded in the database
(``_trueup_steps``) in the same transaction, so a rolled-back push leaves it pending and a
step that ran is never run again, even if the file stays.

A step runs only where the tables it names are: a database built from scratch, or one that
never had the table a step was written for, has no rows for it to move. Such a step is
recorded as not needed, and never runs later (by then the table exists in its new shape).
What a step names is what the engine resolves when it runs the step's statements (see
``Session.run_tracked``), not a guess from its text.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from trueup.errors import ApplyError, Location, SchemaError, TrueupError

if TYPE_CHECKING:
    from trueup.engines.base import Dialect, Session

FOLDER = os.path.join("trueup", "steps")
BEFORE = "before"
AFTER = "after"
_HEADER = re.compile(r"^\s*--\s*trueup:\s*(before|after)\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class DataStep:
    name: str
    when: str  # BEFORE or AFTER
    sql: str
    hash: str
    path: str
    #: Why the step did not run, when it did not (the tables it names are not there).
    not_needed: str | None = None

    def record(self) -> dict[str, str]:
        """The step as a push's history entry names it."""
        out = {"name": self.name, "hash": self.hash, "when": self.when}
        if self.not_needed is not None:
            out["not_needed"] = self.not_needed
        return out


def steps_folder(schema_path: str) -> str:
    base = schema_path if os.path.isdir(schema_path) else os.path.dirname(schema_path)
    return os.path.join(base or ".", FOLDER)


def step_files(schema_path: str) -> list[str]:
    folder = steps_folder(schema_path)
    if not os.path.isdir(folder):
        return []
    return [os.path.join(folder, f) for f in sorted(os.listdir(folder)) if f.endswith(".sql")]


def read_steps(schema_path: str) -> tuple[DataStep, ...]:
    out = []
    for path in step_files(schema_path):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        first = next((line for line in text.splitlines() if line.strip()), "")
        m = _HEADER.match(first)
        if m is None:
            line_no = text.splitlines().index(first) + 1 if first else 1
            raise SchemaError(
                "A data step must say when it runs on its first line.",
                location=Location(path, line_no, 1),
                source_line=first,
                hint="Start the file with `-- trueup:before` (runs before the schema change) "
                "or `-- trueup:after` (runs after it).",
            )
        digest = "sha256:" + hashlib.sha256(text.encode()).hexdigest()
        out.append(DataStep(os.path.basename(path), m.group(1).lower(), text, digest, path))
    return tuple(out)


_SAVEPOINT = "trueup_step"


def run_data_step(session: Session, dialect: Dialect, step: DataStep) -> DataStep:
    """Run ``step`` in the session's transaction; returns it, marked ``not_needed`` when
    it did not run.

    The step runs under a savepoint, a statement at a time, noting the tables and views
    each one reads or writes that were there when the step began. When a statement stops
    because a table it names does not exist, and no statement of the step names one that
    does, the step has nothing to work on: it is undone and marked not needed. When it
    names both, it was written for tables that are only partly there: the push fails.
    """
    statements = [
        (number, statement)
        for number, (_, statement) in enumerate(dialect.split_statements(step.sql), 1)
        if statement.strip().rstrip(";").strip() and not _only_comments(statement)
    ]
    there = session.relation_names()
    touched: set[str] = set()
    session.execute(f"SAVEPOINT {_SAVEPOINT}")
    for index, (number, statement) in enumerate(statements):
        try:
            touched |= session.run_tracked(statement) & there
        except TrueupError:
            raise
        except Exception as exc:  # the engine's error, with the step that caused it
            missing = session.missing_table(exc)
            if missing is not None and not touched:
                session.execute(f"ROLLBACK TO {_SAVEPOINT}")
                rest = statements[index + 1 :]
                touched = {name for _, later in rest for name in session.probe(later) & there}
                if not touched:
                    session.execute(f"RELEASE {_SAVEPOINT}")
                    why = f"there is no table {missing}" if missing else "its tables are not there"
                    return replace(step, not_needed=why)
            raise _failed(step, number, exc, missing, touched) from exc
    session.execute(f"RELEASE {_SAVEPOINT}")
    return step


def _failed(
    step: DataStep, number: int, exc: Exception, missing: str | None, touched: set[str]
) -> ApplyError:
    message = f"The data step {step.name} ({step.when}) failed at its statement {number}: {exc}"
    if missing is not None:
        names = ", ".join(sorted(touched))
        message += (
            f"\nIt also works on {names}, which the database has: a step runs where all the "
            "tables it names are, and is skipped as not needed where none of them is."
        )
    return ApplyError(message, hint=f"Nothing was changed. Fix {step.path} and push again.")


def _only_comments(statement: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in statement.splitlines())
