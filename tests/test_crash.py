"""Crash safety on every registered engine (tests/engines): `trueup push` killed with
SIGKILL at random moments never leaves a broken or half-changed database.

Each trial puts back a database holding rows in several tables, starts a real `trueup
push` whose plan changes those tables (rebuilds, type changes, NOT NULL columns whose NULLs
take a default, indexes, a view made again), and kills it: before it starts, while it
plans, in the middle of the apply, around the COMMIT, or after it finished (where each
engine aims its kills, and what it checks beyond the runner's checks, is in
tests/engines/sqlite_crash.py and tests/engines/postgres_crash.py). Then the database must
be sound, hold entirely the old schema (with every row as it was) or entirely the new one
(with every row and every value of the columns that survive), and a second push must
converge.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.engines import ENGINES, live_database
from tests.helpers import KillWindow

TRIALS = 100


@pytest.mark.parametrize("name", sorted(ENGINES))
def test_sigkill_at_random_moments_leaves_old_or_new(
    request: pytest.FixtureRequest, tmp_path: Path, name: str
) -> None:
    with (
        live_database(name, request, tmp_path) as db,
        db.engine.crash_subject(db.url, tmp_path) as subject,
    ):
        before = subject.rows()
        (tmp_path / "schema.sql").write_text(subject.new)
        command = [sys.executable, "-m", "trueup", "push", "--schema", "schema.sql",
                   "--url", subject.url, "--accept-data-loss", "--no-backup"]  # fmt: skip

        took: list[float] = []

        def run(trial: int, window: KillWindow | None) -> str:
            """One push, killed where the engine aims (never, without a window)."""
            subject.reset()
            started = time.perf_counter()
            proc = subprocess.Popen(
                command, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
            learns = window is not None and subject.kill(proc, window)
            _, err = proc.communicate()
            took.append(time.perf_counter() - started)
            assert proc.returncode in (0, -signal.SIGKILL), err.decode()
            subject.settle(proc)
            after = subject.rows()
            if subject.schema_is(subject.old):
                outcome = "old"
                assert after == before, f"trial {trial}: rows changed under the old schema"
                subject.old_is_untouched(trial)
            else:
                assert subject.schema_is(subject.new), f"trial {trial}: neither old nor new"
                outcome = "new"
                subject.kept(before, after)
            if learns and window is not None:
                window.landed(outcome)
            # Whatever the kill left, the next push converges.
            db.push_sql(subject.new, accept_data_loss=True, lock_timeout=10)
            assert subject.schema_is(subject.new), trial
            subject.kept(before, subject.rows())
            subject.converged(trial)
            return outcome

        # One full push tells roughly how long a push takes here; the window then follows
        # the machine's pace (see KillWindow).
        assert run(-1, None) == "new"
        window = KillWindow(random.Random(20261124), took[0] * 1.1)
        outcomes = {"old": 0, "new": 0}
        for trial in range(TRIALS):
            outcomes[run(trial, window)] += 1
        subject.finish()

    # The kills really did land on both sides of the COMMIT.
    assert outcomes["old"] >= 10 and outcomes["new"] >= 10, outcomes
