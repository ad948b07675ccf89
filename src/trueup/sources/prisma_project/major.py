"""Which Prisma major version a project uses, as far as its files say: the ``prisma``
package installed in ``node_modules``, else the version range its ``package.json`` asks
for (``prisma``, else ``@prisma/client``). None when they do not say (no package.json,
``latest``, a git URL, a range that spans majors)."""

from __future__ import annotations

import json
import os
import re

#: The majors trueup tells apart: before 7 the rules are Prisma 6's.
MAJORS = (6, 7)
_PACKAGES = ("prisma", "@prisma/client")
_SECTIONS = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies")
# One version or a caret, tilde or x range: all inside one major.
_ONE_MAJOR = re.compile(r"^(?:[\^~]|=|v|~>)?\s*(\d+)(?:\.(?:\d+|[xX*]))*(?:[-+][\w.+-]*)?$")
_AT_LEAST = re.compile(r"^>=?\s*(\d+)(?:\.\d+)*(?:[-+][\w.+-]*)?$")


def bucket(major: int) -> int:
    """The rules a Prisma major follows: 6's up to 6, 7's from 7."""
    return 6 if major <= 6 else 7


def installed_major(root: str) -> tuple[int, str] | None:
    """The major of the ``prisma`` package Node would load from ``root``, and the file
    that says so."""
    folder = os.path.abspath(root)
    while True:
        path = os.path.join(folder, "node_modules", "prisma", "package.json")
        if os.path.isfile(path):
            version = _read_json(path).get("version")
            found = _range_major(version) if isinstance(version, str) else None
            return (found, path) if found is not None else None
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def declared_major(root: str) -> tuple[int, str] | None:
    """The major the nearest ``package.json`` that depends on Prisma asks for, and that
    file."""
    folder = os.path.abspath(root)
    while True:
        path = os.path.join(folder, "package.json")
        if os.path.isfile(path):
            data = _read_json(path)
            ranges = [_dependency(data, name) for name in _PACKAGES]
            if any(r is not None for r in ranges):
                for spec in ranges:
                    found = _range_major(spec) if spec is not None else None
                    if found is not None:
                        return found, path
                return None
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def package_json_schema(root: str) -> tuple[str, str] | None:
    """``prisma.schema`` of the nearest package.json (Prisma 6 reads it when no config
    file names a schema), and that file."""
    folder = os.path.abspath(root)
    while True:
        path = os.path.join(folder, "package.json")
        if os.path.isfile(path):
            prisma = _read_json(path).get("prisma")
            schema = prisma.get("schema") if isinstance(prisma, dict) else None
            return (schema, path) if isinstance(schema, str) and schema else None
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _dependency(data: dict[str, object], name: str) -> str | None:
    for section in _SECTIONS:
        deps = data.get(section)
        if isinstance(deps, dict) and isinstance(deps.get(name), str):
            return str(deps[name])
    return None


def _range_major(spec: str) -> int | None:
    """The major a version or range stays within: ``7.10.1``, ``^7.10.1``, ``~6.19.0``,
    ``6.x``, ``npm:prisma@7.1.0``, ``workspace:^7``; ``>=7`` means 7 too (nothing later
    is known). None for anything else."""
    spec = spec.strip()
    for prefix in ("workspace:", "npm:prisma@", "npm:@prisma/client@", "catalog:"):
        spec = spec.removeprefix(prefix)
    match = _ONE_MAJOR.match(spec)
    if match:
        return bucket(int(match.group(1)))
    match = _AT_LEAST.match(spec)
    if match and int(match.group(1)) >= 7:
        return 7
    return None


def _read_json(path: str) -> dict[str, object]:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def known_major(root: str, override: int | None) -> tuple[int | None, str]:
    """The major a setting or the project's packages name, and where that came from."""
    if override is not None:
        return override, "the prisma_major setting"
    for found in (installed_major(root), declared_major(root)):
        if found is not None:
            path = os.path.relpath(found[1])
            return found[0], found[1] if path.startswith("..") else path
    return None, ""
