"""psycopg, PostgreSQL's driver, or an error that says how to install it.

psycopg comes with trueup's ``postgres`` extra (``pip install 'trueup[postgres]'``): an
install for SQLite alone does without it. Every PostgreSQL module takes psycopg from here,
so whichever command first reaches PostgreSQL says what to install, not ``ImportError``.
"""

from __future__ import annotations

from trueup.errors import ConfigError

INSTALL = (
    "Install trueup with its postgres extra: pip install 'trueup[postgres]' "
    "(pipx install 'trueup[postgres]', uv tool install 'trueup[postgres]'), "
    "or use the standalone build, which includes it."
)


def _missing(exc: ImportError) -> ConfigError:
    if exc.name is not None and exc.name.split(".")[0] == "psycopg":
        return ConfigError(
            "PostgreSQL needs the psycopg driver, and this installation of trueup does not "
            "have it.",
            hint=INSTALL,
        )
    # psycopg is there but found no libpq to load (its pure-Python build needs the system's).
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return ConfigError(
        f"The psycopg driver cannot load PostgreSQL's client library (libpq): {first}",
        hint="Install trueup with its postgres extra (pip install 'trueup[postgres]'), which "
        "brings a build of psycopg with libpq inside, or install libpq (Debian: apt-get "
        "install libpq5).",
    )


try:
    import psycopg
    from psycopg import errors as pg_errors
    from psycopg.conninfo import conninfo_to_dict, make_conninfo
except ImportError as exc:
    raise _missing(exc) from exc

__all__ = ["conninfo_to_dict", "make_conninfo", "pg_errors", "psycopg"]
