"""trueup against test suites it was not written for: sqldef's PostgreSQL and SQLite cases
(``scripts/external-psqldef``, ``scripts/external-sqlite3def``; docs/external-suites.md).

Each case loads ``current`` into a fresh database, pushes ``desired`` with the ``trueup``
command, and compares the result with a fresh load of ``desired`` by a catalog oracle that
is not trueup's inspector: ``pg_dump`` for PostgreSQL (pg_catalog.py), SQLite's pragmas
and stored statement text for SQLite (sqlite_catalog.py). Nothing here imports trueup: it
is judged from the outside, as a user runs it.
"""
