"""SIGTERM (``docker stop``, a Kubernetes pod shutting down) ends trueup the way Ctrl-C
does.

Python turns SIGINT into KeyboardInterrupt, which unwinds the program: every ``finally``
and ``except BaseException`` runs, so a push rolls back, a half-written backup or export is
removed, a scratch database is dropped, and psycopg cancels the statement the server is
running. SIGTERM, left to its default, kills the process on the spot and leaves all of that
behind. Here it raises :class:`Terminated`, a KeyboardInterrupt, so the same cleanup runs;
the exit code then says which signal it was (128 + the signal's number, as a shell says).
"""

from __future__ import annotations

import signal
from types import FrameType

EXIT_INTERRUPTED = 128 + signal.SIGINT  # 130
EXIT_TERMINATED = 128 + signal.SIGTERM  # 143


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived."""


def _terminate(signum: int, frame: FrameType | None) -> None:
    # Once: a second SIGTERM must not cut short the cleanup the first one started (the
    # container's grace period ends in SIGKILL anyway).
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Terminated


def handle_sigterm() -> None:
    """Make SIGTERM raise :class:`Terminated` in the main thread. A handler, unlike an
    ignored signal, does not survive ``exec``: the app that ``trueup start`` runs gets
    SIGTERM's default again."""
    signal.signal(signal.SIGTERM, _terminate)


def interruption(exc: KeyboardInterrupt) -> tuple[str, int]:
    """What to say, and the exit code, when ``exc`` stopped a command."""
    if isinstance(exc, Terminated):
        return "Terminated (SIGTERM); nothing half-done was left.", EXIT_TERMINATED
    return "Interrupted; nothing was changed.", EXIT_INTERRUPTED
