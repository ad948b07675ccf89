"""Where trueup differs from Prisma 6.19.3 today, as differential testing found it
(tests/prisma/test_differential.py, scripts/fuzz-prisma): each difference with the
smallest schema that shows it. A generated case showing one of these passes; each entry
is checked to differ still, so a fix says which entry to remove."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tests.prisma.fuzz.harness import Finding


@dataclass(frozen=True)
class Known:
    name: str
    #: Where it shows: the schema is for the first (its provider), and checked there.
    engines: tuple[str, ...]
    #: Matches the finding's signature (``category: gist``) from its start.
    signature: str
    schema: str  # the smallest schema that shows it
    why: str

    def explains(self, finding: Finding, engine: str) -> bool:
        return engine in self.engines and re.match(self.signature, finding.signature) is not None

    @property
    def engine(self) -> str:
        return self.engines[0]


BOTH = ("sqlite", "postgresql")


def sqlite(models: str, datasource: str = "") -> str:
    """A SQLite schema: the datasource (with ``datasource`` lines added), then ``models``."""
    return (
        'datasource db {\n  provider = "sqlite"\n  url      = env("DATABASE_URL")\n'
        + datasource
        + "}\n\n"
        + models
    )


def postgres(models: str, datasource: str = "", preview: str = "") -> str:
    """A PostgreSQL schema; ``preview``: a generator with that preview feature."""
    generator = (
        'generator client {\n  provider        = "prisma-client-js"\n'
        f'  previewFeatures = ["{preview}"]\n}}\n\n'
        if preview
        else ""
    )
    return (
        'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n'
        + datasource
        + "}\n\n"
        + generator
        + models
    )


KNOWN: list[Known] = [
    # The grammar: spellings Prisma reads that trueup refuses, or the other way round.
    # Validations Prisma makes and trueup does not.
    # The databases.
]
