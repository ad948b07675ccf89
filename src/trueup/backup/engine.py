"""What an engine must do for backups. Each engine has one strategy; the rest of
:mod:`trueup.backup` (names, retention, the atomic write, the order of a restore) is the
same for all of them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from trueup.urls import DatabaseURL


@dataclass(frozen=True, slots=True)
class Method:
    """How a backup is taken: the kind of file (a key of ``files.EXTENSIONS``) and a
    sentence for people (``SQLite online backup``, ``pg_dump custom format``, ...)."""

    kind: str
    description: str
    #: The kind's own format is compressed already (pg_dump's custom format): compressing
    #: it again would only cost time.
    packed: bool = False


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A copy as it was taken: how, and the state of the database it holds (see
    :meth:`Strategy.state`), when that could be told."""

    method: Method
    state: dict[str, Any] | None = None


class Strategy(ABC):
    engine: str

    @abstractmethod
    def default_folder(self, url: DatabaseURL) -> str:
        """Where backups go when no folder is configured."""

    @abstractmethod
    def database_name(self, url: DatabaseURL) -> str:
        """The name backup files start with, so backups of two databases can share a folder."""

    @abstractmethod
    def is_empty(self, url: DatabaseURL, timeout: float) -> bool:
        """Whether there is nothing to back up (no database yet, or one without any table)."""

    @abstractmethod
    def method(self) -> Method:
        """How the next backup will be taken (PostgreSQL: pg_dump when it is installed)."""

    @abstractmethod
    def snapshot(self, url: DatabaseURL, temp: str, method: Method, timeout: float) -> Snapshot:
        """Write a consistent copy of the database into the (existing, empty) file ``temp``."""

    @abstractmethod
    def check(self, path: str, kind: str | None = None, level: str = "full") -> str:
        """Prove ``path`` is a sound backup this engine can restore; return its kind.

        Raises BackupError for a damaged file, or one that is not a backup of this engine
        (a JSON export, a dump of another engine, any other file). ``kind`` is what the file
        is expected to be, when that is known from its name; ``level`` is how thoroughly
        (``quick``, ``full``, or ``none``: only what kind of file it is).
        """

    def scratch_folder(self, url: DatabaseURL) -> str:
        """Where a restore may write a temporary copy of a backup (a decompressed one)."""
        import tempfile

        return tempfile.gettempdir()

    def state(self, url: DatabaseURL, timeout: float) -> dict[str, Any] | None:
        """The database's state now, to compare with the state a snapshot recorded: equal
        states are the same database. None when no sound and cheap test exists (then every
        start that asks for a backup takes one)."""
        return None

    @abstractmethod
    def restore(self, url: DatabaseURL, path: str, kind: str, timeout: float) -> None:
        """Replace the database's content with the backup's, all at once."""
