"""Finding a project's Prisma config file and reading what it says, without running it.

The file is looked for as Prisma's CLI looks for it (``@prisma/config``'s
``loadConfigFromFile``), in the working directory only. Prisma 7 first tries
``prisma7.config.*`` and ``.config/prisma7.*``; then, as Prisma 6 does, c12 tries
``prisma.config.*``, ``.config/prisma.*`` and ``.config/prisma.config.*`` (each also as a
folder with an ``index.*``). The extensions are tried in the order .js, .ts, .mjs, .cjs,
.mts, .cts; c12 also finds .json, .jsonc, .json5, .yaml, .yml and .toml files, which Prisma
then refuses."""

from __future__ import annotations

import os

from trueup.errors import SchemaError

SCHEMA_INSTEAD = "--schema PATH (or set TRUEUP_SCHEMA)"
URL_INSTEAD = "--url URL (or set DATABASE_URL)"
TABLES_INSTEAD = "the tables with --ignore-table (or ignore_tables in the settings)"
SUPPORTED = (".js", ".ts", ".mjs", ".cjs", ".mts", ".cts")
_C12_ONLY = (".json", ".jsonc", ".json5", ".yaml", ".yml", ".toml")
PRISMA7_NAMES = tuple(f"prisma7.config{e}" for e in SUPPORTED) + tuple(
    os.path.join(".config", f"prisma7{e}") for e in SUPPORTED
)
_LEGACY_BASES = ("prisma.config", os.path.join(".config", "prisma"), ".config/prisma.config")


def legacy_names() -> tuple[str, ...]:
    """c12's candidates for the name "prisma", in its order: the base as it is, with each
    extension, then as a folder's ``index`` with each."""
    names: list[str] = []
    for base in _LEGACY_BASES:
        for stem in (base, os.path.join(base, "index")):
            names += [stem + ext for ext in ("", *SUPPORTED, *_C12_ONLY)]
    return tuple(names)


def find_config(root: str, *, prisma7_names: bool = True) -> str | None:
    """The config file Prisma would load in ``root`` (Prisma 6 does not know the
    ``prisma7`` names), or None. A file Prisma finds but refuses to load is an error."""
    for name in (*(PRISMA7_NAMES if prisma7_names else ()), *legacy_names()):
        path = os.path.join(root, name)
        if os.path.isfile(path):
            ext = os.path.splitext(name)[1]
            if ext not in SUPPORTED:
                raise SchemaError(
                    f"{os.path.normpath(path)}: Prisma loads its config only from a .js, .ts, "
                    f".mjs, .cjs, .mts or .cts file (it refuses this one: Unsupported Prisma "
                    f"config file extension: {ext}).",
                    hint="Rename it, or pass --schema PATH and --url URL.",
                )
            return os.path.normpath(path)
    return None
