"""Where a Prisma project keeps its schema and database URL, found as Prisma's CLI finds
them from the working directory, and which Prisma major's rules apply to it.

Kept apart from :mod:`trueup.sources.prisma` so that finding the project costs a push that
has nothing to do none of the schema front end: a few file checks and, when there is a
config file, reading that one small file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING

from trueup.errors import SchemaError, TrueupError
from trueup.sources.prisma_project.configfile import SCHEMA_INSTEAD, find_config
from trueup.sources.prisma_project.major import known_major, package_json_schema

if TYPE_CHECKING:
    from trueup.sources.prisma_project.project import PrismaConfig

__all__ = ["PrismaProject", "find_project"]


class PrismaProject:
    """``root`` is the folder Prisma would run in; ``config_path`` its config file, if
    any; ``known`` the major a setting or the project's packages name (None: they do
    not say), and ``known_from`` where that came from. The config file is read only when
    one of its settings is asked for."""

    def __init__(
        self, root: str, config_path: str | None, known: int | None = None, known_from: str = ""
    ) -> None:
        self.root = root
        self.config_path = config_path
        self.known = known
        self.known_from = known_from
        self._schema_urls: dict[str, bool] = {}

    @cached_property
    def config(self) -> PrismaConfig | None:
        if self.config_path is None:
            return None
        from trueup.sources.prisma_project.project import PrismaConfig

        return PrismaConfig(self.config_path, self.root)

    @cached_property
    def hinted_major(self) -> int | None:
        """The major the packages, a setting or the config file point to."""
        if self.known is not None:
            return self.known
        return self.config.hints() if self.config is not None else None

    def major_for(self, schema_path: str) -> int:
        """The major whose rules apply to the schema at ``schema_path``: the one the
        project points to, else 6 for a schema whose datasource has a ``url`` with no
        config giving one (Prisma 7 refuses ``url`` there), else 7."""
        if self.hinted_major is not None:
            return self.hinted_major
        return 6 if self._schema_has_url(schema_path) else 7

    def schema(self) -> str | None:
        """The schema the config names (absolute); for a Prisma 6 project without one in a
        config, ``prisma.schema`` of package.json. None: look in the default places."""
        if self.config is not None:
            named = self.config.schema()
            if named:
                return named
        if self.hinted_major == 7 or (self.hinted_major is None and self.config is not None):
            return None
        found = package_json_schema(self.root)
        if found is None:
            return None
        value, package = found
        path = os.path.normpath(os.path.join(os.path.dirname(package), value))
        if not os.path.exists(path):
            raise SchemaError(
                f"Could not load schema from `{os.path.relpath(path)}` provided by "
                f'"prisma.schema" config of `{os.path.relpath(package)}`: file or directory '
                "not found.",
                hint=f"Fix it, or pass {SCHEMA_INSTEAD}.",
            )
        relative = os.path.relpath(path)
        return path if relative.startswith("..") else relative

    def url(self) -> str | None:
        """The config's ``datasource.url``, as written (None without one)."""
        return self.config.url() if self.config is not None else None

    def url_base(self, schema_path: str) -> str:
        """The folder a relative ``file:`` path in the config's URL is relative to: where
        Prisma 7 runs its engine (the project's folder); Prisma 6's, the schema's."""
        if self.major_for(schema_path) >= 7:
            return os.path.abspath(self.root)
        return _datasource_folder(schema_path)

    def environ(self, major: int) -> Mapping[str, str] | None:
        """The environment for the schema's ``env()`` calls: what the config sees when
        there is one; else, for Prisma 6, None (its own ``.env`` rules, see
        :mod:`trueup.sources.prisma.envfiles`); for Prisma 7, which reads no ``.env``
        itself, the process's."""
        if self.config is not None:
            return self.config.environ()
        return None if major < 7 else os.environ

    def external_tables(self) -> tuple[str, ...]:
        """The tables Prisma leaves to others (``tables.external``). External enums are
        refused: trueup cannot yet leave an enum alone."""
        if self.config is None:
            return ()
        tables = self.config.external("tables")
        enums = self.config.external("enums")
        if enums:
            raise SchemaError(
                f"{self.config.path}: trueup cannot leave external enums alone yet "
                f"(`enums.external`: {', '.join(enums)}), as Prisma does.",
                hint="Push with Prisma for now, or move the enums out of `enums.external` "
                "if trueup may manage them.",
            )
        return tables

    def key_files(self) -> tuple[str, ...]:
        """The files besides the schema that change what a push does: the config and the
        ``.env`` files it loads."""
        if self.config is None or self.config_path is None:
            return ()
        return (self.config_path, *self.config.env_files())

    def _schema_has_url(self, schema_path: str) -> bool:
        if schema_path not in self._schema_urls:
            self._schema_urls[schema_path] = _datasource_has_url(schema_path)
        return self._schema_urls[schema_path]


def find_project(root: str = ".", override: int | None = None) -> PrismaProject:
    """The Prisma project run from ``root``; ``override`` is the major a setting names."""
    known, known_from = known_major(root, override)
    config = find_config(root, prisma7_names=known != 6)
    return PrismaProject(root, config, known, known_from)


def _datasource_folder(schema_path: str) -> str:
    """The folder of the schema file that holds the datasource block, where Prisma 6 runs
    its engine."""
    from trueup.sources.prisma import parse, read_sources

    folder = schema_path if os.path.isdir(schema_path) else os.path.dirname(schema_path)
    try:
        blocks = parse(read_sources(schema_path)).configs("datasource")
    except (TrueupError, OSError):
        return os.path.abspath(folder)
    path = blocks[0].pos.source.path if blocks else folder
    return os.path.dirname(os.path.abspath(path)) if blocks else os.path.abspath(folder)


def _datasource_has_url(schema_path: str) -> bool:
    """Whether the schema's datasource has a ``url`` (its errors are reported when it is
    loaded)."""
    from trueup.sources.prisma import parse, read_sources

    try:
        doc = parse(read_sources(schema_path))
    except (TrueupError, OSError):
        return False
    return any(c.get("url") is not None for c in doc.configs("datasource"))
