"""An engine as the rest of trueup finds it by name: what URLs are its, and where its
dialect, backups, transfers and value mappings are. The descriptor itself is cheap to
import; each part is imported when first asked for, so a push on an in-sync database loads
only what it uses of one engine."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trueup.backup.engine import Strategy
    from trueup.engines.base import Capabilities, Dialect, Session
    from trueup.engines.kinds import Values
    from trueup.model import Table
    from trueup.transfer.engine import Source, Target
    from trueup.urls import DatabaseURL

Ignore = Callable[[str], bool] | None


class Engine(ABC):
    """One engine: its name in URLs and files, the name people write, what it can do."""

    name: str
    label: str
    capabilities: Capabilities

    @abstractmethod
    def parse_url(self, text: str, scheme: str, base_dir: str | None) -> DatabaseURL:
        """``text`` as a URL of this engine: ``scheme`` is its scheme, lower-cased (empty
        for a plain path); ``base_dir`` is the folder relative paths start from."""

    @abstractmethod
    def dialect(self, *, ignore: Ignore = None, **options: bool) -> Dialect:
        """The engine's dialect; ``ignore`` names tables it must never read or touch,
        ``options`` are its own switches (``concurrent_indexes``)."""

    @abstractmethod
    def backups(self) -> Strategy:
        """How the engine's databases are backed up and restored."""

    @abstractmethod
    def transfer_source(self, url: DatabaseURL, timeout: float, ignore: Ignore) -> Source:
        """The database at ``url`` opened for an export."""

    @abstractmethod
    def transfer_target(self, url: DatabaseURL, timeout: float, ignore: Ignore) -> Target:
        """The database at ``url`` opened for an import."""

    @property
    @abstractmethod
    def values(self) -> Values:
        """How the engine's column types, defaults and values map to and from the neutral
        kinds conversions between engines go through."""

    @abstractmethod
    def read_rows(
        self, session: Session, table: Table, columns: Sequence[str], batch: int
    ) -> Iterator[Sequence[tuple[Any, ...]]]:
        """The values of ``columns`` of every row of ``table``, read in the session's open
        transaction ``batch`` rows at a time, each as :meth:`Values.canonical_as_read`
        expects: the rows of a table too large for memory go by."""

    def backup_tables(self, path: str, head: bytes) -> set[str] | None:
        """The tables of a backup file of this engine (``head`` its first bytes); None
        when the file is not one or cannot be read."""
        return None

    def share_lock(self, tables: str) -> str | None:
        """A statement that keeps writers out of ``tables`` (quoted names, comma
        separated) until the transaction ends, readers going on; None when the transaction
        that holds trueup's write lock does that already."""
        return None

    def uncopied(self, session: Session) -> list[str]:
        """What a copy of the database in ``session`` leaves behind that trueup's schema
        model does not hold, one note each."""
        return []
