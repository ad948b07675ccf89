"""The ``.env`` files a Prisma project keeps its connection URL in, read the way Prisma's
CLI (up to 6.x) reads them for the ``env("…")`` calls of a schema.

Prisma looks in the project's folder (``./.env``), and then in the first that exists of
the schema's folder and ``./prisma``. A variable set in both files is an error; a variable
of the process environment wins over either file. The values feed only the schema's
``env()`` calls: trueup's own settings (``DATABASE_URL`` as ``--url``, ``TRUEUP_*``) come
from the process environment alone.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from trueup.errors import ConfigError


def env_files(schema_path: str, folder: str = ".") -> list[str]:
    """The ``.env`` files Prisma would read for the schema at ``schema_path`` (a file or a
    folder of them), run from ``folder``."""
    schema_dir = schema_path if os.path.isdir(schema_path) else os.path.dirname(schema_path)
    found: list[str] = []
    root = os.path.join(folder, ".env")
    if os.path.isfile(root):
        found.append(root)
    for candidate in (schema_dir or ".", os.path.join(folder, "prisma")):
        path = os.path.join(candidate, ".env")
        if os.path.isfile(path):
            if not found or not os.path.samefile(path, found[0]):
                found.append(path)
            break
    return found


def environment(schema_path: str, folder: str = ".") -> Mapping[str, str]:
    """The process environment over the values of the schema's ``.env`` files."""
    files = env_files(schema_path, folder)
    if not files:
        return os.environ
    # Imported only when there is a file to read: it costs some 20 ms.
    from dotenv import dotenv_values

    values: dict[str, str] = {}
    for path in files:
        read = {k: v for k, v in dotenv_values(path).items() if v is not None}
        clash = sorted(set(read) & set(values))
        if clash:
            raise ConfigError(
                f"There is a conflict between env vars in {files[0]} and {path}: "
                f"{', '.join(clash)}.",
                hint=f"Keep each variable in one of the two files (Prisma refuses this too); "
                f"for example, move the contents of {path} to {files[0]}.",
            )
        values.update(read)
    return {**values, **os.environ}
