"""What an engine must do for backups. Each engine has one strategy; the rest of
:mod:`trueup.backup` (names, retention, the atomic write, the order of a restore) is the
same for all of them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from trueup.urls import DatabaseURL


@dataclass(frozen=True, slots=True)
class Method:
    """How a backup is taken: the kind of file (a key of ``files.EXTENSIONS``) and a
    sentence for people (``SQLite online backup``, ``pg_dump custom format``, ...)."""

    kind: str
    description: str


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
    def snapshot(self, url: DatabaseURL, temp: str, method: Method, timeout: float) -> None:
        """Write a consistent copy of the database into the (existing, empty) file ``temp``."""

    @abstractmethod
    def check(self, path: str, kind: str | None = None) -> str:
        """Prove ``path`` is a sound backup this engine can restore; return its kind.

        Raises BackupError for a damaged file, or one that is not a backup of this engine
        (a JSON export, a dump of another engine, any other file). ``kind`` is what the file
        is expected to be, when that is known from its name.
        """

    @abstractmethod
    def restore(self, url: DatabaseURL, path: str, kind: str, timeout: float) -> None:
        """Replace the database's content with the backup's, all at once."""
