"""Reviewed plans: a plan written to a file, read back and applied unchanged.

``trueup diff --format json -o plan.json`` writes the plan with the fingerprint of the
database schema it was made against and the hash of the declared schema it was made from.
``trueup push --plan plan.json`` applies exactly those statements, each in the phase the
file gives it (in the transaction, or after it commits), and refuses when the database's
schema or the declared schema is no longer what the plan was made from. That is how a change
reviewed on staging reaches production unchanged.

Version 2 gives every step its phase; a version 1 file (every step in the transaction) is
read as such.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from trueup.errors import ConfigError, UnsafePlan
from trueup.plan import Phase

FORMAT = "trueup-plan"
VERSION = 2


@dataclass(frozen=True, slots=True)
class Reviewed:
    path: str
    engine: str
    fingerprint: str
    schema_hash: str | None
    statements: tuple[tuple[Phase, str], ...]
    data_steps: tuple[str, ...]  # content hashes


def plan_document(
    data: dict[str, Any], *, fingerprint: str, schema_hash: str | None
) -> dict[str, Any]:
    """The plan JSON (``output.plan_data``) made into a reviewable plan file."""
    from trueup import __version__

    return {
        "format": FORMAT,
        "version": VERSION,
        "trueup_version": __version__,
        "database_fingerprint": fingerprint,
        "schema_hash": schema_hash,
        **data,
    }


def read_plan(path: str) -> Reviewed:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        raise ConfigError(f"The plan file {path} does not exist.") from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"Cannot read the plan file {path}: {exc}.") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ConfigError(
            f"{path} is not a trueup plan.",
            hint="Write one with `trueup diff --format json -o plan.json`.",
        )
    version = data.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise ConfigError(
            f"{path} is a plan of format version {version}; this trueup reads version "
            f"{VERSION} and older.",
            hint="Apply it with the trueup that wrote it, or make the plan again.",
        )
    try:
        return Reviewed(
            path=path,
            engine=str(data["dialect"]),
            fingerprint=str(data["database_fingerprint"]),
            schema_hash=data.get("schema_hash"),
            statements=tuple(_statement(s) for s in data["steps"]),
            data_steps=tuple(str(s["hash"]) for s in data.get("data_steps", [])),
        )
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"The plan file {path} is incomplete ({exc}).") from exc
    except ValueError as exc:
        raise ConfigError(
            f"The plan file {path} has a step of an unknown phase ({exc}).",
            hint="Phases are " + ", ".join(p.value for p in Phase) + ".",
        ) from exc


def _statement(step: Any) -> tuple[Phase, str]:
    """A step of the file as (phase, SQL); a step without a phase (version 1) runs in
    the transaction."""
    if not isinstance(step, dict):
        raise TypeError(f"a step is {type(step).__name__}, not an object")
    return Phase(step.get("phase", Phase.IN_TRANSACTION.value)), str(step["sql"])


def check_source(reviewed: Reviewed, schema_hash: str | None, engine: str) -> None:
    """Refuse a plan made for another engine or from another declared schema."""
    if reviewed.engine != engine:
        raise UnsafePlan(
            f"The plan {reviewed.path} was made for {reviewed.engine}, not {engine}.",
            hint="Nothing was changed.",
        )
    if reviewed.schema_hash != schema_hash:
        raise UnsafePlan(
            f"The declared schema changed since the plan {reviewed.path} was made.",
            hint="Nothing was changed. Make the plan again from the schema as it is now, "
            "review it, and push that.",
        )
