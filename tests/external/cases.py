"""The cases of a suite: sqldef's YAML test files (one top-level key a case), read as
sqldef's own harness reads them, and whether a case applies to the server at hand."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

#: Where the external data lives, relative to the checkout (see ../shared/external/README.md).
EXTERNAL = Path(__file__).resolve().parents[2].parent / "shared" / "external"
#: The suites: the folder of their YAML files inside the external data.
SUITES = {"psqldef": "sqldef/cmd/psqldef", "sqlite3def": "sqldef/cmd/sqlite3def"}
#: The roles sqldef's PostgreSQL harness creates before any case runs (its GRANT cases name
#: them), and the one its ``user:`` cases connect as.
ROLES = (
    "readonly_user",
    "app_user",
    "admin_role",
    "user-with-dash",
    "user.with.dot",
    "user with spaces",
    "CamelCaseUser",
    "UPPERCASE_USER",
    "user1",
    "user2",
    "user3",
    "user4",
    "My User",
    "reader",
    "writer",
    "admin",
    "reader1",
    "reader2",
    "writer1",
    "writer2",
    "role1",
    "role2",
    "power_user",
    "user@domain.com",
)


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    file: str  # the YAML file's name
    current: str = ""
    desired: str = ""
    #: ``up``/``down`` given: sqldef checks both ways, so the push back is judged too.
    reversible: bool = False
    error: str | None = None  # sqldef expects its own tool to refuse the case
    min_version: str | None = None
    max_version: str | None = None
    user: str | None = None  # connect as this role, its search_path ``foo, public``
    managed_roles: tuple[str, ...] = ()
    enable_drop: bool = True
    flavor: str | None = None
    offline: bool = False  # sqldef checks the case without a server
    concurrent_indexes: bool = False  # config: create_index_concurrently
    settings: dict[str, Any] = field(default_factory=dict)  # the rest, for the record


class CaseFileError(Exception):
    """A YAML file that is not a suite of cases."""


def suite_files(suite: str, external: Path = EXTERNAL) -> list[Path]:
    """The YAML files of ``suite``, as sqldef's harness globs them (``tests*.yml``)."""
    folder = external / SUITES[suite]
    return sorted(folder.glob("tests*.yml"))


def load_cases(files: Iterable[Path]) -> list[Case]:
    out: list[Case] = []
    for path in files:
        data = yaml.safe_load(path.read_text())
        if not isinstance(data, dict):
            raise CaseFileError(f"{path}: not a mapping of cases")
        for name, body in data.items():
            if not isinstance(body, dict):
                raise CaseFileError(f"{path}: case {name!r} is not a mapping")
            out.append(_case(str(name), path.name, body))
    return out


def _case(name: str, file: str, body: dict[str, Any]) -> Case:
    config = body.get("config") or {}
    known = {"current", "desired", "up", "down", "error", "min_version", "max_version"}
    known |= {"user", "managed_roles", "enable_drop", "flavor", "offline", "config"}
    return Case(
        name=name,
        file=file,
        current=str(body.get("current") or ""),
        desired=str(body.get("desired") or ""),
        reversible="up" in body or "down" in body,
        error=_text(body.get("error")),
        min_version=_text(body.get("min_version")),
        max_version=_text(body.get("max_version")),
        user=_text(body.get("user")),
        managed_roles=tuple(str(r) for r in body.get("managed_roles") or ()),
        enable_drop=bool(body.get("enable_drop", True)),
        flavor=_text(body.get("flavor")),
        offline=bool(body.get("offline", False)),
        concurrent_indexes=bool(config.get("create_index_concurrently", False)),
        settings={k: v for k, v in body.items() if k not in known},
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def version_tuple(text: str) -> tuple[int, ...]:
    """``"15.18 (Debian ...)"`` -> ``(15, 18)``; ``"10"`` -> ``(10,)``."""
    m = re.match(r"\d+(?:\.\d+)*", text.strip())
    return tuple(int(p) for p in m.group(0).split(".")) if m else ()


def not_applicable(case: Case, server_version: str = "", flavor: str = "") -> str | None:
    """Why ``case`` is not run against this server (sqldef's harness skips it too), or None.
    Versions compare part by part, as sqldef compares them."""
    have = version_tuple(server_version) if server_version else ()
    if have and case.min_version and _cmp(have, version_tuple(case.min_version)) < 0:
        return f"needs server version >= {case.min_version}"
    if have and case.max_version and _cmp(have, version_tuple(case.max_version)) > 0:
        return f"needs server version <= {case.max_version}"
    if case.flavor:
        wanted = case.flavor.removeprefix("!")
        excluded = case.flavor.startswith("!")
        if (wanted == flavor) == excluded:
            return f"written for flavor {case.flavor!r} (this server: {flavor or 'plain'})"
    return None


def _cmp(left: tuple[int, ...], right: tuple[int, ...]) -> int:
    width = max(len(left), len(right))
    a = left + (0,) * (width - len(left))
    b = right + (0,) * (width - len(right))
    return (a > b) - (a < b)
