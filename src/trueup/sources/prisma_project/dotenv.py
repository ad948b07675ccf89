"""``.env`` files as the ``dotenv`` package of npm reads them: what a Prisma config file's
``import "dotenv/config"`` puts into the environment. Its rules, not python-dotenv's: no
``${VAR}`` expansion, ``\\n`` unescaped only between double quotes, and a variable the
process already has (even empty) kept unless ``override`` is asked for."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping

from trueup.errors import ConfigError

# dotenv's own LINE pattern (lib/main.js), in Python's spelling: ASCII word characters for
# the name, as JavaScript's \w.
_LINE = re.compile(
    r"^\s*(?:export\s+)?([A-Za-z0-9_.-]+)(?:\s*=\s*?|:\s+?)"
    r"(\s*'(?:\\'|[^'])*'|\s*\"(?:\\\"|[^\"])*\"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?"
    r"\s*(?:#.*)?$",
    re.M,
)
_QUOTED = re.compile(r"^(['\"`])([\s\S]*)\1$", re.M)


def parse(text: str) -> dict[str, str]:
    """The variables of one ``.env`` file's text."""
    text = re.sub(r"\r\n?", "\n", text)
    out: dict[str, str] = {}
    for match in _LINE.finditer(text):
        value = (match.group(2) or "").strip()
        quote = value[:1]
        value = _QUOTED.sub(r"\2", value)
        if quote == '"':
            value = value.replace("\\n", "\n").replace("\\r", "\r")
        out[match.group(1)] = value
    return out


def read(path: str) -> dict[str, str] | None:
    """The variables of the file at ``path``; None if there is no such file (dotenv then
    loads nothing and goes on)."""
    try:
        with open(path, encoding="utf-8", errors="replace", newline="") as f:
            return parse(f.read())
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        return None
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc.strerror}.") from None


def load(
    environ: Mapping[str, str], paths: Iterable[str], *, override: bool = False
) -> tuple[dict[str, str], list[str]]:
    """``environ`` after one dotenv ``config()`` call loads ``paths``, and the files it
    read. Of the files of one call, the first that sets a variable wins; with
    ``override``, the last (each overrides the ones before, as it does the process)."""
    values: dict[str, str] = {}
    found: list[str] = []
    for path in paths:
        read_values = read(path)
        if read_values is None:
            continue
        found.append(path)
        for key, value in read_values.items():
            if override or key not in values:
                values[key] = value
    out = dict(environ)
    for key, value in values.items():
        if override or key not in out:
            out[key] = value
    return out, found


def config_path(raw: str, cwd: str) -> str:
    """A ``path`` option as dotenv takes it: ``~`` is the home folder, and a relative path
    is relative to the working directory."""
    if raw.startswith("~"):
        raw = os.path.expanduser("~") + raw[1:]
    return os.path.normpath(os.path.join(cwd, raw))


def env_options(environ: Mapping[str, str]) -> tuple[str | None, bool]:
    """The ``path`` and ``override`` that ``import "dotenv/config"`` takes from the
    environment (DOTENV_CONFIG_PATH, DOTENV_CONFIG_OVERRIDE; DOTENV_PATH and
    DOTENV_OVERRIDE in recent versions)."""

    def option(name: str) -> str | None:
        for key in (f"DOTENV_{name}", f"DOTENV_CONFIG_{name}"):
            if environ.get(key) is not None:
                return environ[key]
        return None

    override = option("OVERRIDE")
    truthy = override is not None and override.lower() not in ("false", "0", "no", "off", "")
    return option("PATH"), truthy
