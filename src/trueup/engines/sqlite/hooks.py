"""The SQLite engine's answers to the differ."""

from __future__ import annotations

from trueup.diff.differ import DiffHooks
from trueup.engines.sqlite.lexer import fold


class SQLiteHooks(DiffHooks):
    # SQLite keeps constraint names only as text in the CREATE TABLE statement (nothing can
    # refer to them), so they are not compared.
    compare_constraint_names = False
    rename_index = False

    def key(self, name: str) -> str:
        return fold(name)
