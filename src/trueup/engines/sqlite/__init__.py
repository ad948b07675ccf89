"""SQLite: the embedded default engine, through the standard library's sqlite3."""
