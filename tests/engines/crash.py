"""What the crash runner (tests/test_crash.py) needs of an engine: a database holding rows,
put back before each trial, a way to kill a push, and the checks of what a kill left."""

from __future__ import annotations

import subprocess
from typing import Protocol

from tests.helpers import KillWindow


class CrashSubject(Protocol):
    """One engine's crash trial. ``url`` is the database the pushes run on; ``old`` and
    ``new`` are the two schemas (SQL) a push goes from and to."""

    url: str
    old: str
    new: str

    def reset(self) -> None:
        """Put the old schema and the seeded rows back."""
        ...

    def rows(self) -> object:
        """Every row of every table, comparable before and after."""
        ...

    def kill(self, proc: subprocess.Popen[bytes], window: KillWindow) -> bool:
        """Kill the push ``proc`` at a moment the engine chooses (``window`` gives random
        times over the whole push, and its random numbers). True when the kill landed at
        a time drawn from ``window``, which then learns where it landed."""
        ...

    def settle(self, proc: subprocess.Popen[bytes]) -> None:
        """After the push's process is gone: wait for what it left running, and check the
        database is sound (opens, passes the engine's checks)."""
        ...

    def schema_is(self, sql: str) -> bool: ...

    def kept(self, before: object, after: object) -> None:
        """Every row is there, with every value (NULLs of the columns made NOT NULL with a
        default come back as the default)."""
        ...

    def old_is_untouched(self, trial: int) -> None:
        """What a push that never committed must not have left (beyond the rows)."""
        ...

    def converged(self, trial: int) -> None:
        """What must hold after the push that follows a kill has converged."""
        ...

    def finish(self) -> None:
        """The last checks, and clean-up."""
        ...
