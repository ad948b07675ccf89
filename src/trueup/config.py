"""Settings: command-line flags win over the environment, which wins over a settings file
(``trueup.toml``, or ``[tool.trueup]`` in ``pyproject.toml``, in the working directory; not
both).

Keys (file / environment):

* ``schema`` / ``TRUEUP_SCHEMA``: the declared schema file.
* ``url`` / ``DATABASE_URL``: the database.
* ``lock_timeout`` / ``TRUEUP_LOCK_TIMEOUT``: seconds to wait for another push (default 60).
* ``ignore_tables`` / ``TRUEUP_IGNORE_TABLES``: glob patterns (comma-separated in the
  environment) of tables trueup never touches.
* ``backup_dir`` / ``TRUEUP_BACKUP_DIR``: the backups folder (default: ``backups`` beside a
  SQLite database).
* ``backup_keep`` / ``TRUEUP_BACKUP_KEEP``: how many backups of each reason to keep
  (default 10).
* ``backup_keep_days`` / ``TRUEUP_BACKUP_KEEP_DAYS``: delete backups older than this many
  days (default: no limit).
* ``backup_max_size`` / ``TRUEUP_BACKUP_MAX_SIZE``: the most the backups of each reason may
  take together, in bytes or with a unit (``500MB``, ``2GiB``; default: no limit).
* ``backup_verify`` / ``TRUEUP_BACKUP_VERIFY``: the check a backup must pass, ``quick``,
  ``full`` or ``none`` (default quick).
* ``backup_compress`` / ``TRUEUP_BACKUP_COMPRESS``: gzip the backups (default false).
* ``start_backup`` / ``TRUEUP_START_BACKUP``: when ``trueup start`` backs up, ``always``,
  ``on-change`` or ``never`` (default on-change).
* ``python_path`` / ``TRUEUP_PYTHON_PATH``: folders (``os.pathsep``-separated in the
  environment) the app's SQLAlchemy models are imported from, besides the current one.
* ``prisma_major`` / ``TRUEUP_PRISMA_MAJOR``: the Prisma major (6 or 7) whose rules a
  Prisma project follows (default: what the project's packages and config file say).

Retention never deletes the newest backup of a reason (see trueup.backup.retention).
"""

from __future__ import annotations

import fnmatch
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from trueup.errors import ConfigError

#: Tables other tools own: never read, changed or dropped, whatever the settings say.
ALWAYS_IGNORED = ("_prisma_migrations", "alembic_version")
#: Where a schema is looked for when none is named (nor by a Prisma config file), in
#: order: Prisma's own two places first, in its order; then a multi-file Prisma schema in
#: its usual folder, then a SQL file.
SCHEMA_CANDIDATES = ("schema.prisma", "prisma/schema.prisma", "prisma/schema", "schema.sql")
KEYS = {
    "schema",
    "url",
    "lock_timeout",
    "ignore_tables",
    "backup_dir",
    "backup_keep",
    "backup_keep_days",
    "backup_max_size",
    "backup_verify",
    "backup_compress",
    "start_backup",
    "prisma_major",
    "python_path",
}
PRISMA_MAJORS = (6, 7)
DEFAULT_BACKUP_KEEP = 10
VERIFY_LEVELS = ("quick", "full", "none")
START_BACKUP = ("always", "on-change", "never")
_SIZE_UNITS = {
    "": 1,
    "b": 1,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "tb": 10**12,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
}


@dataclass(frozen=True, slots=True)
class Settings:
    schema: str | None = None
    url: str | None = None
    lock_timeout: float = 60.0
    ignore_tables: tuple[str, ...] = ()
    backup_dir: str | None = None  # None: the engine's default place
    backup_keep: int = DEFAULT_BACKUP_KEEP
    backup_keep_days: float | None = None
    backup_max_size: int | None = None  # bytes
    backup_verify: str = "quick"
    backup_compress: bool = False
    start_backup: str = "on-change"
    source: str | None = None  # the settings file they came from
    base_dir: str = field(default=".")
    url_from_env: bool = False  # the url is $DATABASE_URL (not a flag or the settings file)
    prisma_major: int | None = None  # None: as the Prisma project says
    python_path: tuple[str, ...] = ()  # where SQLAlchemy models are imported from

    def ignore(self) -> Callable[[str], bool]:
        """A test for the names of tables to leave alone: the configured patterns (matched
        without regard to case) and the tables of other migration tools."""
        patterns = tuple(p.lower() for p in (*ALWAYS_IGNORED, *self.ignore_tables))
        return lambda name: any(fnmatch.fnmatchcase(name.lower(), p) for p in patterns)


def _read_file(folder: str) -> tuple[dict[str, Any], str | None]:
    found = []
    for name, table in (("trueup.toml", ()), ("pyproject.toml", ("tool", "trueup"))):
        path = os.path.join(folder, name)
        data = _read_toml(path, table)
        if data is not None:
            found.append((data, path))
    if len(found) > 1:
        # Two places could each look like the one in force; neither silently wins.
        raise ConfigError(
            f"trueup settings in two files: {found[0][1]} and the [tool.trueup] table of "
            f"{found[1][1]}.",
            hint="Keep them in one of the two places.",
        )
    if not found:
        return {}, None
    data, path = found[0]
    unknown = sorted(set(data) - KEYS)
    if unknown:
        raise ConfigError(
            f"{path}: unknown setting(s) {', '.join(unknown)}.",
            hint=f"Known settings: {', '.join(sorted(KEYS))}.",
        )
    return data, path


def _read_toml(path: str, table: tuple[str, ...]) -> dict[str, Any] | None:
    """The settings table of the TOML file at ``path`` (the whole file, or the ``table``
    in it); None when there is no such file, or no such table or an empty one."""
    if not os.path.isfile(path):
        return None
    try:
        with open(path, "rb") as f:
            data: Any = tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}).") from exc
    for key in table:
        data = data.get(key, {}) if isinstance(data, dict) else {}
    if table and not data:
        return None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the trueup settings must be a table of keys.")
    return data


def load_settings(
    *,
    schema: str | None = None,
    url: str | None = None,
    lock_timeout: float | None = None,
    backup_dir: str | None = None,
    backup_keep: int | None = None,
    ignore_tables: tuple[str, ...] = (),
    python_path: tuple[str, ...] = (),
    folder: str = ".",
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Settings from flags (the arguments), the environment and the settings file."""
    env = os.environ if environ is None else environ
    data, source = _read_file(folder)

    def pick(flag: Any, env_name: str, key: str) -> Any:
        if flag is not None:
            return flag
        if env.get(env_name):
            return env[env_name]
        return data.get(key)

    timeout_raw = pick(lock_timeout, "TRUEUP_LOCK_TIMEOUT", "lock_timeout")
    try:
        timeout = 60.0 if timeout_raw is None else float(timeout_raw)
    except (TypeError, ValueError):
        raise ConfigError(
            f"The lock timeout must be a number of seconds, not {timeout_raw!r}."
        ) from None
    if timeout < 0:
        raise ConfigError("The lock timeout cannot be negative.")

    ignore_raw: Any = env.get("TRUEUP_IGNORE_TABLES") or data.get("ignore_tables") or ()
    if isinstance(ignore_raw, str):
        ignore_raw = [p.strip() for p in ignore_raw.split(",") if p.strip()]
    if not isinstance(ignore_raw, (list, tuple)) or not all(isinstance(p, str) for p in ignore_raw):
        raise ConfigError("ignore_tables must be a list of table name patterns.")

    backup_dir_raw = pick(backup_dir, "TRUEUP_BACKUP_DIR", "backup_dir")
    if backup_dir_raw is not None and (not isinstance(backup_dir_raw, str) or not backup_dir_raw):
        raise ConfigError(f"backup_dir must be a folder path, not {backup_dir_raw!r}.")

    return Settings(
        schema=pick(schema, "TRUEUP_SCHEMA", "schema"),
        url=pick(url, "DATABASE_URL", "url"),
        lock_timeout=timeout,
        ignore_tables=(*ignore_raw, *ignore_tables),
        backup_dir=backup_dir_raw,
        backup_keep=_keep(pick(backup_keep, "TRUEUP_BACKUP_KEEP", "backup_keep")),
        backup_keep_days=keep_days(pick(None, "TRUEUP_BACKUP_KEEP_DAYS", "backup_keep_days")),
        backup_max_size=parse_size(pick(None, "TRUEUP_BACKUP_MAX_SIZE", "backup_max_size")),
        backup_verify=choice(
            pick(None, "TRUEUP_BACKUP_VERIFY", "backup_verify"), "backup_verify", VERIFY_LEVELS
        )
        or "quick",
        backup_compress=_switch(pick(None, "TRUEUP_BACKUP_COMPRESS", "backup_compress")),
        start_backup=choice(
            pick(None, "TRUEUP_START_BACKUP", "start_backup"), "start_backup", START_BACKUP
        )
        or "on-change",
        source=source,
        base_dir=folder,
        url_from_env=url is None and bool(env.get("DATABASE_URL")),
        prisma_major=_major(pick(None, "TRUEUP_PRISMA_MAJOR", "prisma_major")),
        python_path=(*python_path, *_folders(pick(None, "TRUEUP_PYTHON_PATH", "python_path"))),
    )


def _folders(raw: Any) -> tuple[str, ...]:
    """The python_path setting: a list of folders (the file), or one string of them
    separated like $PATH (the environment)."""
    if raw is None:
        return ()
    if isinstance(raw, str):
        return tuple(p for p in raw.split(os.pathsep) if p)
    if not isinstance(raw, list) or not all(isinstance(p, str) and p for p in raw):
        raise ConfigError(f"python_path must be a list of folders, not {raw!r}.")
    return tuple(raw)


def _major(raw: Any) -> int | None:
    """The Prisma major a setting names: 6 or 7 (TOML gives an int, the environment a
    string)."""
    if raw is None:
        return None
    text = str(raw).strip() if isinstance(raw, (int, str)) and not isinstance(raw, bool) else ""
    if text not in {str(m) for m in PRISMA_MAJORS}:
        raise ConfigError(
            f"prisma_major must be 6 or 7, not {raw!r}.",
            hint="It names the Prisma major whose rules the project follows "
            "(TRUEUP_PRISMA_MAJOR in the environment).",
        )
    return int(text)


def _keep(raw: Any) -> int:
    """How many backups to keep: a whole number, at least 1 (a backup that is deleted as
    soon as it is made protects nothing)."""
    if raw is None:
        return DEFAULT_BACKUP_KEEP
    # TOML gives an int; the environment a string. A bool is an int to Python: refuse it.
    if isinstance(raw, bool) or not isinstance(raw, (int, str)):
        raise ConfigError(f"backup_keep must be a whole number, not {raw!r}.")
    try:
        keep = int(raw)
    except ValueError:
        raise ConfigError(f"backup_keep must be a whole number, not {raw!r}.") from None
    if keep < 1:
        raise ConfigError(
            f"backup_keep must be at least 1, not {keep}.",
            hint="It is how many backups of each reason are kept; the newest are kept.",
        )
    return keep


def keep_days(raw: Any) -> float | None:
    """How many days backups are kept: a number above 0, or None for no limit."""
    if raw is None:
        return None
    try:
        if isinstance(raw, bool):
            raise ValueError
        days = float(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"backup_keep_days must be a number of days, not {raw!r}.") from None
    if not days > 0:
        raise ConfigError(f"backup_keep_days must be more than 0, not {raw!r}.")
    return days


def parse_size(raw: Any) -> int | None:
    """A size in bytes: a whole number, or a number with a unit (``500MB``, ``1.5GB``,
    ``2GiB``); None for no limit."""
    if raw is None:
        return None
    text = str(raw).strip().lower().replace(" ", "")
    number = text.rstrip("kmgtib")
    unit = text[len(number) :]
    try:
        if isinstance(raw, bool) or unit not in _SIZE_UNITS:
            raise ValueError
        size = int(float(number) * _SIZE_UNITS[unit])
    except ValueError:
        raise ConfigError(
            f"Cannot read the size {raw!r}.",
            hint="Give bytes, or a number with a unit: 500MB, 1.5GB, 2GiB.",
        ) from None
    if size < 1:
        raise ConfigError(f"The size {raw!r} must be more than 0 bytes.")
    return size


def choice(raw: Any, key: str, allowed: tuple[str, ...]) -> str | None:
    if raw is None:
        return None
    if raw not in allowed:
        raise ConfigError(f"{key} must be one of {', '.join(allowed)}, not {raw!r}.")
    return str(raw)


def _switch(raw: Any) -> bool:
    """A yes/no setting: a TOML boolean, or 1/0, true/false, yes/no in the environment."""
    if raw is None:
        return False
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"backup_compress must be true or false, not {raw!r}.")


def find_schema(settings: Settings) -> str:
    """The schema file to read: the one named, else the first of the usual places."""
    if settings.schema:
        return settings.schema
    found = default_schema(settings.base_dir)
    if found is not None:
        return found
    raise ConfigError(
        "No schema file found.",
        hint="Pass --schema PATH, or create one of: " + ", ".join(SCHEMA_CANDIDATES) + ".",
    )


def default_schema(folder: str) -> str | None:
    """The first of :data:`SCHEMA_CANDIDATES` in ``folder`` (a folder counts when it holds
    ``.prisma`` files)."""
    for candidate in SCHEMA_CANDIDATES:
        path = os.path.join(folder, candidate)
        if os.path.isfile(path) or (os.path.isdir(path) and _has_prisma_files(path)):
            return os.path.normpath(path)
    return None


def _has_prisma_files(folder: str) -> bool:
    return any(any(f.endswith(".prisma") for f in files) for _, _, files in os.walk(folder))
