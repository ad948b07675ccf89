"""The PostgreSQL oracle: a database's schema as ``pg_dump --schema-only`` gives it,
PostgreSQL's own full account, cut into one text per object.

pg_dump heads every object with ``-- Name: N; Type: T; Schema: S; Owner: O``; the key of
an object is ``T: S.N``, its text what follows the head. What legitimately differs between
two dumps of equal schemas is dropped: the version lines, the session ``SET``s (a
tablespace or table access method that a ``SET`` gives a group of objects goes into each
object's text instead), the random key of ``\\restrict``. OIDs never appear, and the order
of the dump does not matter since objects are compared by key.

A schema-only dump leaves two things out that a schema declares, so they are read from the
catalogs and added as objects of their own: an extension's version (``CREATE EXTENSION``
is dumped without it) and whether a materialized view holds data (``WITH NO DATA``).

Objects whose names start with ``_trueup_`` (trueup's own history views) are not dumped."""

from __future__ import annotations

import re
import subprocess
from functools import cache
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg

from tests.external.catalog import Catalog

#: Names no catalog holds, as pg_dump's patterns (any schema).
EXCLUDE = ("*._trueup_*",)

_HEAD = re.compile(r"^-- (?:Data for )?Name: (.*); Type: (.*?); Schema: (.*?); Owner: ?(.*)$")
_SKIP = re.compile(
    r"^(?:SET [a-z_]+ = .*;|SELECT pg_catalog\.set_config\(.*\);|\\(?:un)?restrict .*|--.*)$"
)
_SESSION = re.compile(r"^SET (default_tablespace|default_table_access_method) = (.*);$")
_DEFAULTS = {"default_tablespace": "''", "default_table_access_method": "heap"}

_SUPPLEMENT = """
SELECT 'EXTENSION VERSION', e.extname, e.extversion
FROM pg_extension e
UNION ALL
SELECT 'MATERIALIZED VIEW DATA', n.nspname || '.' || c.relname,
       CASE WHEN c.relispopulated THEN 'WITH DATA' ELSE 'WITH NO DATA' END
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'm' AND c.relname NOT LIKE '\\_trueup\\_%'
"""


class DumpError(Exception):
    """pg_dump could not dump the database."""


@cache
def server_bin() -> Path:
    """The newest PostgreSQL binaries Debian installed (pg_dump must be at least as new as
    the server), else the folder of ``pg_dump`` on PATH."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_dump"),
        key=lambda p: [int(x) if x.isdigit() else 0 for x in p.parts[-3].split(".")],
    )
    if found:
        return found[-1].parent
    import shutil

    which = shutil.which("pg_dump")
    if which is None:
        raise DumpError("pg_dump is not installed: run scripts/postgres install")
    return Path(which).parent


def libpq_url(url: str) -> str:
    """``url`` without trueup's own ``schema=`` parameter, which libpq does not know."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "schema"]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def dump_text(url: str, timeout: float = 120) -> str:
    """``pg_dump --schema-only`` of the database ``url`` names."""
    args = [str(server_bin() / "pg_dump"), "--schema-only", "--no-password"]
    for pattern in EXCLUDE:
        args += ["--exclude-table", pattern]
    done = subprocess.run(
        [*args, libpq_url(url)], capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise DumpError(f"pg_dump failed: {done.stderr.strip()}")
    return done.stdout


def parse_dump(text: str) -> Catalog:
    """A dump's objects, each as ``type: schema.name`` -> its statements."""
    found: dict[str, list[str]] = {}
    session = dict(_DEFAULTS)
    key: str | None = None
    body: list[str] = []

    def close() -> None:
        if key is not None:
            found.setdefault(key, []).append("\n".join(body).strip())

    for line in text.splitlines():
        head = _HEAD.match(line)
        if head:
            close()
            name, kind, schema, owner = head.groups()
            key = f"{kind}: {schema}.{name}" if schema != "-" else f"{kind}: {name}"
            body = [f"{k} = {v};" for k, v in session.items() if _DEFAULTS[k] != v]
            body += [f"-- owner {owner}"] if owner and owner != "-" else []
            continue
        setting = _SESSION.match(line)
        if setting:
            session[setting.group(1)] = setting.group(2)
        if _SKIP.match(line):
            continue
        if line.strip() or (body and body[-1].strip()):
            body.append(line)
    close()
    return {k: "\n\n".join(sorted(v)) for k, v in found.items()}


def supplement(url: str) -> Catalog:
    """What a schema-only dump leaves out (see the module's docstring)."""
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        rows = conn.execute(_SUPPLEMENT.encode()).fetchall()
    return {f"{kind}: {name}": str(value) for kind, name, value in rows}


def describe(url: str) -> Catalog:
    """The catalog of the database ``url`` names (a superuser sees everything)."""
    return parse_dump(dump_text(url)) | supplement(url)
