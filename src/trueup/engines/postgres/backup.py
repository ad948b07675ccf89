"""PostgreSQL backups: ``pg_dump`` in its custom format when it is on PATH, else a trueup
JSON export of the managed schema. The output says which.

pg_dump reads the whole database in one snapshot while the app keeps working; its file is
checked with ``pg_restore --list`` (it must be a complete, readable archive) and put back
by psql in one transaction (the schema's objects dropped, then pg_restore's script), so a
failed restore changes nothing. A JSON backup is checked by reading it through (structure and
counts) and put back by emptying the schema and importing the file, in one transaction.
Either way the managed schema ends up exactly as the backup has it.

The password never goes on a command line (where ``ps`` shows it): it is handed to
pg_dump and pg_restore in their environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

from trueup.backup.engine import Method, Snapshot, Strategy
from trueup.backup.files import BackupError, read_head
from trueup.urls import DatabaseURL

_PG_DUMP = Method("pg_dump", "pg_dump custom format", packed=True)
_JSON = Method("json", "trueup JSON export (pg_dump is not on PATH)")


def _conninfo(url: DatabaseURL) -> tuple[str, dict[str, str], str]:
    """A libpq connection string without the password, the environment that carries the
    password, and the database's name."""
    from trueup.engines.postgres.connection import connection_info, with_connect_timeout
    from trueup.engines.postgres.driver import conninfo_to_dict, make_conninfo

    dsn, _ = connection_info(url)
    dsn = with_connect_timeout(dsn)
    params = {k: str(v) for k, v in conninfo_to_dict(dsn).items() if v is not None}
    env = dict(os.environ)
    password = params.pop("password", None)
    if password is not None:
        env["PGPASSWORD"] = password
    return make_conninfo(**params), env, params.get("dbname", "postgres")


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    proc = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        lines = [line.strip() for line in proc.stderr.strip().splitlines()]
        detail = lines[-3:] or [f"exit code {proc.returncode}"]
        raise BackupError(f"{what} failed: " + " / ".join(detail), hint=_hint(proc.stderr))


def _hint(stderr: str) -> str:
    """What to do about a failed pg_dump or pg_restore, from what it said."""
    if "output file" in stderr:  # could not open / write to output file: ...
        return (
            "Nothing was saved. Check that the backups folder is writable and has space, or "
            "choose another with --dir or TRUEUP_BACKUP_DIR."
        )
    if "permission denied" in stderr:
        return (
            "Nothing was saved. The user of the URL must be able to read every table, "
            "sequence and schema of the database (pg_dump reads them all): back up as the "
            "database's owner."
        )
    if "connection to server" in stderr:
        return (
            "Nothing was changed. Check the host, port, user, password and database name of "
            "the URL, and that the server is running."
        )
    return (
        "Nothing was changed. If pg_dump is older than the server, install the server's "
        "version of the PostgreSQL client tools."
    )


class PostgresBackups(Strategy):
    engine = "postgresql"

    def default_folder(self, url: DatabaseURL) -> str:
        # A server's database has no folder of its own: backups go where trueup runs.
        return os.path.abspath("backups")

    def database_name(self, url: DatabaseURL) -> str:
        from trueup.engines.postgres.connection import DEFAULT_SCHEMA, connection_info

        _, _, dbname = _conninfo(url)
        _, schema = connection_info(url)
        return dbname if schema == DEFAULT_SCHEMA else f"{dbname}.{schema}"

    def is_empty(self, url: DatabaseURL, timeout: float) -> bool:
        from trueup.engines import get_dialect
        from trueup.engines.postgres.connection import missing_database
        from trueup.engines.postgres.driver import psycopg

        try:
            session = get_dialect("postgresql").connect(url, create=False)
        except Exception as exc:  # a database that does not exist yet is empty
            cause = exc.__cause__
            if isinstance(cause, psycopg.Error) and missing_database(cause):
                return True
            raise
        try:
            return session.inspect().is_empty
        finally:
            session.close()

    def method(self) -> Method:
        return _PG_DUMP if shutil.which("pg_dump") else _JSON

    def snapshot(self, url: DatabaseURL, temp: str, method: Method, timeout: float) -> Snapshot:
        # No state: PostgreSQL has no sound and cheap test of "unchanged" (see
        # docs/backup-recovery.md), so every start that asks for a backup takes one.
        if method.kind == "json":
            from trueup.transfer import export_database

            try:
                with open(temp, "wb") as out:
                    export_database(url, out, timeout=timeout)
            except OSError as exc:  # the disk is full, or the file cannot be written
                raise BackupError(
                    f"Could not back up {url}: writing the backup in "
                    f"{os.path.dirname(temp)} failed: {exc.strerror}.",
                    hint="Nothing was saved. Free space on the disk, or choose another "
                    "backups folder with --dir or TRUEUP_BACKUP_DIR.",
                ) from exc
            return Snapshot(method)
        conninfo, env, _ = _conninfo(url)
        pg_dump = shutil.which("pg_dump") or "pg_dump"
        args = [pg_dump, "--format=custom", "--no-password", f"--file={temp}"]
        _run([*args, f"--dbname={conninfo}"], env, f"pg_dump of {url}")
        return Snapshot(method)

    def check(self, path: str, kind: str | None = None, level: str = "full") -> str:
        head = read_head(path, 64)
        if head.startswith(b"PGDMP"):
            if level == "none":
                return "pg_dump"
            pg_restore = shutil.which("pg_restore")
            if pg_restore is None:
                raise BackupError(
                    f"{path} is a pg_dump archive, and pg_restore is not on PATH to read it.",
                    hint="Install the PostgreSQL client tools.",
                )
            # quick: the archive's table of contents is complete and readable; full: every
            # data block is read and decompressed too, as a restore would.
            read = ["--list"] if level == "quick" else [f"--file={os.devnull}"]
            _run([pg_restore, *read, path], dict(os.environ), f"Reading {path}")
            return "pg_dump"
        if b"trueup-export" in head and level == "none":
            return "json"
        if b"trueup-export" in head:
            from trueup.transfer import TransferError, verify_export

            try:
                with open(path, "rb") as f:
                    header = verify_export(f, path)
            except TransferError as exc:
                raise BackupError(f"{path} is damaged: {exc.message}") from exc
            if header.engine != self.engine:
                raise BackupError(
                    f"{path} is an export of a {header.engine} database, not a backup of this "
                    "PostgreSQL database.",
                    hint="Load another engine's export with `trueup import FILE`.",
                )
            return "json"
        what = "a SQLite database" if head.startswith(b"SQLite format 3\x00") else "not a backup"
        raise BackupError(
            f"{path} is {what}: neither a pg_dump archive nor a trueup export.",
            hint="Nothing was changed. Give a backup made by `trueup backup` for this database "
            "(`trueup backups` lists them).",
        )

    def restore(self, url: DatabaseURL, path: str, kind: str, timeout: float) -> None:
        if kind == "json":
            from trueup.transfer import TransferError, import_database

            try:
                with open(path, "rb") as f:
                    import_database(url, f, path, timeout=timeout, replace=True)
            except TransferError as exc:
                raise BackupError(f"Could not restore {url} from {path}: {exc.message}") from exc
            return
        self._restore_dump(url, path, timeout)

    def _restore_dump(self, url: DatabaseURL, path: str, timeout: float) -> None:
        """pg_restore's script, after the drops of everything in the managed schema, in one
        psql transaction: the result is exactly the archive, also where the database has
        tables the archive does not (``pg_restore --clean`` alone would leave those)."""
        conninfo, env, _ = _conninfo(url)
        pg_restore = shutil.which("pg_restore")
        psql = shutil.which("psql")
        if pg_restore is None or psql is None:
            raise BackupError(
                "Restoring a pg_dump archive needs pg_restore and psql on PATH.",
                hint="Install the PostgreSQL client tools.",
            )
        drops = ";\n".join(self._drops(url, timeout))
        with tempfile.NamedTemporaryFile("w", suffix=".sql", encoding="utf-8") as prelude:
            prelude.write(f"SET lock_timeout = {max(1, int(timeout * 1000))};\n")
            if drops:
                prelude.write(drops + ";\n")
            prelude.flush()
            script = subprocess.Popen(
                [pg_restore, "--file=-", "--clean", "--if-exists", "--no-owner", path],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
            )
            assert script.stdout is not None
            options = ["--no-psqlrc", "--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1"]
            proc = subprocess.run(
                [psql, *options, f"--file={prelude.name}", "--file=-", f"--dbname={conninfo}"],
                stdin=script.stdout,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=env,
                text=True,
                check=False,
            )
            script.stdout.close()
            script_err = script.communicate()[1].decode(errors="replace")
        if script.returncode != 0 or proc.returncode != 0:
            detail = (proc.stderr.strip() or script_err.strip()).splitlines()[-3:]
            raise BackupError(
                f"Restoring {url} from {path} failed: " + " / ".join(detail),
                hint="It ran in one transaction: nothing was changed.",
            )

    def _drops(self, url: DatabaseURL, timeout: float) -> list[str]:
        """The statements that empty the managed schema, as ``push --force-reset`` plans them."""
        from trueup.diff.differ import reset_changes
        from trueup.engines import get_dialect
        from trueup.model import Schema

        dialect = get_dialect("postgresql")
        with dialect.connect(url, create=True) as session:
            current = session.inspect()
        empty = Schema(namespaces=current.namespaces)
        changes = reset_changes(current, empty, dialect.hooks)
        return [step.sql for step in dialect.plan(changes, current, empty).steps]
