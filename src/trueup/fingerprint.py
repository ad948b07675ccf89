"""Fingerprints: short hashes that say whether two things are the same.

* ``schema_fingerprint(schema)``: the database schema as trueup compares it (SQL text by its
  normalised key, so two spellings of one schema share a fingerprint).
* ``source_hash(path)``: the bytes of a declared schema (a file, or every ``.prisma`` file of
  a folder) and of its data steps.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trueup.model import Schema


def _canonical(value: Any) -> Any:
    from trueup.model import Expr

    if isinstance(value, Expr):
        return value.key
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # Fields that only say how a definition is spelled are no part of the schema.
        return {
            f.name: _canonical(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.compare
        }
    if isinstance(value, (tuple, list)):
        return [_canonical(v) for v in value]
    return value


def schema_fingerprint(schema: Schema) -> str:
    data = json.dumps(_canonical(schema), sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(data.encode()).hexdigest()


def source_files(path: str, suffix: str = "") -> list[str]:
    """The files a declared schema is made of: the file itself, or the files with
    ``suffix`` anywhere under a folder, in a stable order."""
    if not os.path.isdir(path):
        return [path]
    found = []
    for root, dirs, files in os.walk(path):
        dirs.sort()
        found += [os.path.join(root, f) for f in sorted(files) if f.endswith(suffix)]
    return found


def source_hash(paths: list[str]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        with open(path, "rb") as f:
            data = f.read()
        digest.update(os.path.basename(path).encode() + b"\0")
        digest.update(hashlib.sha256(data).digest())
    return "sha256:" + digest.hexdigest()
