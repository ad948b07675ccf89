"""Data steps: SQL that runs with a push, in its transaction, once per content.

A declared schema says what the tables look like, not how the rows get from the old shape to
the new one. A data step does: a ``.sql`` file in ``trueup/steps/`` beside the schema, whose
first line says when it runs::

    -- trueup:before      (before the schema change is planned and applied)
    -- trueup:after       (after it, before the push commits)

Steps run in file-name order. Each runs once: its content hash is recorded in the database
(``_trueup_steps``) in the same transaction, so a rolled-back push leaves it pending and a
step that ran is never run again, even if the file stays.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass

from trueup.errors import Location, SchemaError

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
