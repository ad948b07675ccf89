"""A push that rebuilds a 1,000,000-row SQLite table (a type change and a NOT NULL change)
against the floor: the same statements run by the sqlite3 shell.

The floor script is trueup's own plan (`trueup diff --format sql`), so both do exactly the
same work on the table; what trueup adds is Python's start, reading the schemas, the checks
on the data, and verifying the result. trueup's connection sets secure_delete = FAST (see
docs/sqlite.md); the floor is measured both with SQLite's default and with that setting.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path

from bench.common import TRUEUP, Comparison, alternate, run

ROWS = 1_000_000
OLD = "CREATE TABLE item (id INTEGER PRIMARY KEY, code TEXT, qty INTEGER, price REAL, note TEXT);"
NEW = (
    "CREATE TABLE item (id INTEGER PRIMARY KEY, code INTEGER, qty INTEGER NOT NULL DEFAULT 0,"
    " price REAL, note TEXT);"
)


def build(path: Path, rows: int) -> None:
    conn = sqlite3.connect(path)
    conn.execute(OLD)
    conn.executemany(
        "INSERT INTO item VALUES (?, ?, ?, ?, ?)",
        ((i, str(i), None if i % 10 == 0 else i % 97, i * 0.25, "n" * 24) for i in range(rows)),
    )
    conn.commit()
    conn.close()


def compare(rounds: int = 5, rows: int = ROWS) -> list[Comparison]:
    work = Path(tempfile.mkdtemp(prefix="trueup-bench-rebuild-"))
    try:
        template = work / "template.db"
        build(template, rows)
        (work / "new.sql").write_text(NEW)
        db = work / "db.sqlite3"
        shutil.copy(template, db)
        script = run(
            [*TRUEUP, "diff", "--schema", "new.sql", "--url", "db.sqlite3", "--format", "sql"],
            cwd=work,
            ok_codes=(2,),
        )
        floor_sql = script.output
        assert "INSERT INTO" in floor_sql, floor_sql

        def fresh() -> None:
            shutil.copy(template, db)
            for extra in work.glob("db.sqlite3-*"):
                extra.unlink()

        def trueup() -> object:
            fresh()
            return run(
                [
                    *TRUEUP,
                    "push",
                    "--schema",
                    "new.sql",
                    "--url",
                    "db.sqlite3",
                    "--accept-data-loss",
                    "--no-backup",
                ],
                cwd=work,
            )

        def floor(prefix: str = "") -> object:
            fresh()
            return run(["sqlite3", "db.sqlite3"], cwd=work, stdin=prefix + floor_sql)

        a, b = alternate(rounds, trueup, floor)  # type: ignore[arg-type]
        a2, c = alternate(rounds, trueup, lambda: floor("PRAGMA secure_delete = FAST;\n"))  # type: ignore[arg-type]
        return [
            Comparison(
                f"push rebuilding a {rows:,}-row SQLite table",
                a,
                b,
                "sqlite3 shell, same SQL",
                "≤ 1.05×",
            ),
            Comparison(
                "the same, floor with secure_delete = FAST",
                a2,
                c,
                "sqlite3 shell, same SQL + FAST",
                "(for reference)",
            ),
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
