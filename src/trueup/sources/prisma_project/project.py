"""A Prisma project as Prisma's CLI sees it from the working directory: its config file
(see :mod:`.configfile`), the schema and database URL that config names, the ``.env`` files
it loads, the tables it leaves to others, and which Prisma major the project is on."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from functools import cached_property

from trueup.errors import SchemaError
from trueup.sources.prisma_project import dotenv
from trueup.sources.prisma_project.configfile import SCHEMA_INSTEAD, TABLES_INSTEAD, URL_INSTEAD
from trueup.sources.prisma_project.tseval import UNDEFINED, Evaluator, ObjValue
from trueup.sources.prisma_project.tsparse import Node, Unsupported
from trueup.sources.prisma_project.tsscan import ConfigFile, EnvLoad, read_config
from trueup.sources.prisma_project.tstokens import Token


class PrismaConfig:
    """One Prisma config file, read without running it. Each setting is worked out when it
    is asked for, so that a part trueup cannot read is an error only if it is needed."""

    def __init__(self, path: str, cwd: str) -> None:
        self.path = path
        self.cwd = cwd
        self.file: ConfigFile = read_config(path)
        self._env: _ConfigEnviron | None = None
        self._loading = False

    @property
    def folder(self) -> str:
        return os.path.dirname(os.path.abspath(self.path))

    def environ(self) -> Mapping[str, str]:
        """The environment the config sees: the process's, and what its ``.env`` loads
        add."""
        if self._env is None:
            if self._loading:  # an option of a .env load reads the environment
                return os.environ
            self._loading = True
            try:
                self._env = _ConfigEnviron(self)
            finally:
                self._loading = False
        return self._env

    @cached_property
    def evaluator(self) -> Evaluator:
        file = self.file
        return Evaluator(
            file.source, file.imports, file.bindings, lambda token: self.environ(), self.cwd
        )

    def exported(self, what: str, instead: str) -> ObjValue:
        """The object the file exports by default."""
        if self.file.default is None:
            raise SchemaError(
                f"{self.path} has no default export, so it gives Prisma no settings.",
                hint=f"Write `export default defineConfig({{ ... }})`, or pass {instead}.",
            )
        value = self.evaluator.value(self.file.default, what, instead)
        if not isinstance(value, ObjValue):
            raise self.evaluator.unreadable(self.file.default, what, instead)
        return value

    def lookup(self, keys: tuple[str, ...], instead: str) -> tuple[object, Node | None]:
        """The value at ``keys`` (``("datasource", "url")``), UNDEFINED if not set, and the
        node it came from."""
        what = "`" + ".".join(keys) + "`"
        value: object = self.exported(what, instead)
        node: Node | None = None
        for key in keys:
            if not isinstance(value, ObjValue):
                return UNDEFINED, node
            node = self.evaluator.entry(value, key, what, instead)
            if node is None:
                return UNDEFINED, None
            value = self.evaluator.value(node, what, instead)
        return value, node

    def string(self, keys: tuple[str, ...], instead: str) -> str | None:
        value, node = self.lookup(keys, instead)
        if value is UNDEFINED or value is None:
            return None
        if not isinstance(value, str):
            assert node is not None
            raise self.evaluator.fail(
                node.token, f"`{'.'.join(keys)}` must be a string.", f"Pass {instead} instead."
            )
        return value

    def schema(self) -> str | None:
        """The ``schema`` setting, made absolute from the config's folder (as Prisma does)."""
        value = self.string(("schema",), SCHEMA_INSTEAD)
        if not value:
            return None
        path = os.path.normpath(os.path.join(self.folder, value))
        if not os.path.exists(path):
            raise SchemaError(
                f"Could not load schema from `{os.path.relpath(path)}` provided by the Prisma "
                f"config file {self.path}: file or directory not found.",
                hint=f"Fix `schema` in {self.path}, or pass {SCHEMA_INSTEAD}.",
            )
        return shown(path)

    def url(self) -> str | None:
        """``datasource.url``; None when the config sets none (or it is undefined)."""
        return self.string(("datasource", "url"), URL_INSTEAD)

    def external(self, kind: str) -> tuple[str, ...]:
        """``tables.external`` or ``enums.external`` (``kind``): what Prisma leaves to
        others. A config trueup cannot read gives none, unless it mentions ``external`` at
        all."""
        instead = TABLES_INSTEAD
        try:
            value, node = self.lookup((kind, "external"), instead)
        except SchemaError:
            if any(t.text == "external" for t in self.file.tokens if t.kind in ("name", "str")):
                raise
            return ()
        if value is UNDEFINED:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            assert node is not None
            raise self.evaluator.fail(
                node.token, f"`{kind}.external` must be a list of names.", f"Pass {instead}."
            )
        flag, _ = self.lookup(("experimental", "externalTables"), instead)
        if value and flag is not True:
            raise SchemaError(
                f"{self.path}: The `{kind}.external` configuration requires "
                "`experimental.externalTables` to be set to `true`.",
                hint="Prisma refuses the config without it; add `experimental: { "
                "externalTables: true }`.",
            )
        return tuple(str(v) for v in value)

    def hints(self) -> int | None:
        """The major the config itself points to: a ``prisma7`` name is 7; ``engine`` (which
        7 refuses) is 6; a ``datasource`` without ``engine`` is 7 (6 wants ``engine:
        "classic"`` with it). None when it does not say, or cannot be read."""
        if os.path.basename(self.path).startswith("prisma7"):
            return 7
        try:
            exported = self.exported("the config", SCHEMA_INSTEAD)
            engine = self.evaluator.entry(exported, "engine", "`engine`", SCHEMA_INSTEAD)
            datasource = self.evaluator.entry(exported, "datasource", "`datasource`", "")
        except SchemaError:
            return None
        if engine is not None:
            return 6
        return 7 if datasource is not None else None

    def env_files(self) -> tuple[str, ...]:
        """The ``.env`` files the config loads that exist (for the push's quick check)."""
        try:
            env = self.environ()
        except SchemaError:
            return ()
        return tuple(env.files) if isinstance(env, _ConfigEnviron) else ()


def shown(path: str) -> str:
    """``path`` relative to the working directory when it is inside it (as the usual
    places are named), else absolute."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


class _ConfigEnviron(Mapping[str, str]):
    """The process environment with what the config's ``.env`` loads add, in the order the
    file does them. A package trueup does not know (dotenv-flow, @next/env, …) may load
    more: a variable the process does not have is then an error, not a guess."""

    def __init__(self, config: PrismaConfig) -> None:
        self.config = config
        self.unknown: Token | None = None
        values: dict[str, str] = dict(os.environ)
        files: list[str] = []
        for load in config.file.env_loads:
            if load.kind == "unknown":
                self.unknown = self.unknown or load.token
                continue
            paths, override = self._paths(load, values)
            values, found = dotenv.load(values, paths, override=override)
            if load.kind == "loadEnvFile" and not found:
                raise config.evaluator.fail(
                    load.token,
                    f"process.loadEnvFile() finds no file {paths[0]}.",
                    "Create it, or pass " + URL_INSTEAD + ".",
                )
            files += [f for f in found if f not in files]
        self.known = values
        self.files = files

    def _paths(self, load: EnvLoad, values: Mapping[str, str]) -> tuple[list[str], bool]:
        cwd = self.config.cwd
        default = [os.path.normpath(os.path.join(cwd, ".env"))]
        if load.kind == "dotenv/config":
            path, override = dotenv.env_options(values)
            return ([dotenv.config_path(path, cwd)] if path else default), override
        if load.options is None:
            return default, False
        evaluator = self.config.evaluator
        what = "the .env file it loads"
        if load.kind == "loadEnvFile":
            raw = evaluator.value(load.options, what, URL_INSTEAD)
            if not isinstance(raw, str):
                raise evaluator.unreadable(load.options, what, URL_INSTEAD)
            return [dotenv.config_path(raw, cwd)], False
        options = evaluator.value(load.options, what, URL_INSTEAD)
        if not isinstance(options, ObjValue):
            raise evaluator.unreadable(load.options, what, URL_INSTEAD)
        for entry in options.node.entries:
            if entry.key not in ("path", "override", "quiet", "debug", "encoding"):
                raise evaluator.unreadable(Unsupported(entry.token), what, URL_INSTEAD)
        return self._path_option(options, default), self._override_option(options)

    def _path_option(self, options: ObjValue, default: list[str]) -> list[str]:
        evaluator, what = self.config.evaluator, "the .env file it loads"
        node = evaluator.entry(options, "path", what, URL_INSTEAD)
        if node is None:
            return default
        raw = evaluator.value(node, what, URL_INSTEAD)
        raws = raw if isinstance(raw, list) else [raw]
        if not all(isinstance(r, str) for r in raws):
            raise evaluator.unreadable(node, what, URL_INSTEAD)
        return [dotenv.config_path(str(r), self.config.cwd) for r in raws]

    def _override_option(self, options: ObjValue) -> bool:
        evaluator = self.config.evaluator
        node = evaluator.entry(options, "override", "`override`", URL_INSTEAD)
        return node is not None and evaluator.value(node, "`override`", URL_INSTEAD) is True

    def __getitem__(self, key: str) -> str:
        if key in self.known:
            return self.known[key]
        if self.unknown is not None:
            raise self.config.evaluator.fail(
                self.unknown,
                f"trueup cannot tell what this loads into the environment, and {key} is not "
                "set in it.",
                f"Set {key} in the environment, or pass {URL_INSTEAD}.",
            )
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.known)

    def __len__(self) -> int:
        return len(self.known)
