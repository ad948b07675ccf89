"""The target of a copy: empty before it, emptied again if the copy fails, and the copy
recorded in its history."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from trueup import history
from trueup.model import Schema

if TYPE_CHECKING:
    from trueup.engines.base import Dialect
    from trueup.errors import TrueupError
    from trueup.sources.declared import Declared
    from trueup.urls import DatabaseURL


@dataclass(frozen=True, slots=True)
class TargetState:
    url: DatabaseURL
    dialect: Dialect
    timeout: float
    new_file: bool  # a SQLite file the copy creates: removed again on failure
    had_history: bool  # trueup's history views were there before (an emptied database)

    @classmethod
    def check(
        cls, url: DatabaseURL, dialect: Dialect, timeout: float, error: type[TrueupError]
    ) -> TargetState:
        """The target as it is before the copy; ``error`` if it is not empty."""
        new_file = url.path is not None and url.path != ":memory:" and not os.path.exists(url.path)
        if new_file:
            return cls(url, dialect, timeout, True, False)  # empty: it is not there yet
        # A missing server database is created, as a push creates it; a file is not yet.
        with dialect.connect(url, create=url.path is None) as session:
            session.begin(write=False, timeout=timeout)
            schema = session.inspect()
            had_history = bool(session.query(dialect.table_exists_sql(), (history.HISTORY,)))
            session.rollback()
        if not schema.is_empty:
            what = [f"{len(schema.tables)} table(s)"] if schema.tables else []
            what += [f"{len(schema.views)} view(s)"] if schema.views else []
            raise error(
                f"The target {url} is not empty ({', '.join(what) or 'it has a schema'}).",
                hint="Nothing was changed. trueup copy fills a new, empty database: drop this "
                "one first, or choose another --to.",
            )
        return cls(url, dialect, timeout, new_file, had_history)

    def undo(self) -> str | None:
        """Empty the target again: remove the file the copy made, or drop what it created.
        A problem doing so, or None."""
        try:
            if self.new_file:
                assert self.url.path is not None
                for suffix in ("", "-journal", "-wal", "-shm"):
                    if os.path.exists(self.url.path + suffix):
                        os.remove(self.url.path + suffix)
            else:
                self._reset()
        except Exception as exc:
            return f"The target could not be emptied again ({exc}); drop it before copying again."
        return None

    def _reset(self) -> None:
        from trueup.diff.differ import reset_changes

        with self.dialect.connect(self.url, create=False) as session:
            session.begin(write=True, timeout=self.timeout)
            current = session.inspect()
            empty = Schema(namespaces=current.namespaces)
            changes = reset_changes(current, empty, self.dialect.hooks)
            for step in self.dialect.plan(changes, current, empty).steps:
                session.execute(step.sql)
            if not self.had_history:
                for view in (history.STEPS, history.HISTORY):
                    session.execute(f"DROP VIEW IF EXISTS {self.dialect.quote(view)}")
            session.commit()

    def record(
        self,
        source: DatabaseURL,
        declared: Declared | None,
        steps: tuple[dict[str, str], ...],
    ) -> None:
        """The copy in the target's history, with the data steps the source has run: a push
        from the app's schema must not run them again on rows that went through them."""
        with self.dialect.connect(self.url, create=False) as session:
            session.begin(write=True, timeout=self.timeout)
            entry = history.Entry(
                kind="copy",
                schema_path=(declared.path or None) if declared else None,
                flags={"from": source.redacted()},
                data_steps=steps,
            )
            history.record(session, self.dialect, entry)
            session.commit()
