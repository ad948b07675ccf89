"""Reading small schemas for the grammar tests, and the corpus cases that carry Prisma's
verdict on the same spellings (checked against the real Prisma by test_conformance.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from trueup.errors import SchemaError
from trueup.sources.prisma import parse, read_data_model
from trueup.sources.prisma.datamodel import DataModel, IndexDef, ModelDef
from trueup.sources.prisma.source import SourceFile
from trueup.sources.prisma.syntax import Document

CORPUS = Path(__file__).parent / "corpus"
SQLITE = 'datasource db {\n  provider = "sqlite"\n  url      = "file:./dev.db"\n}\n'
POSTGRES = 'datasource db {\n  provider = "postgresql"\n  url      = "postgresql://h/db"\n}\n'
#: Datasources as Prisma 7 writes them: no URL.
SQLITE_7 = 'datasource db {\n  provider = "sqlite"\n}\n'
POSTGRES_7 = 'datasource db {\n  provider = "postgresql"\n}\n'


def corpus_text(name: str) -> str:
    """A corpus case by its path under corpus/, like ``invalid/legacy_colon``."""
    with open(CORPUS / f"{name}.prisma", encoding="utf-8", newline="") as f:
        return f.read()


def data_model(text: str, *, major: int | None = None) -> DataModel:
    return read_data_model([SourceFile("schema.prisma", text)], environ={}, major=major)[1]


def document(text: str) -> Document:
    return parse([SourceFile("schema.prisma", text)])


def refusal(text: str, *, major: int | None = None) -> SchemaError:
    with pytest.raises(SchemaError) as caught:
        data_model(text, major=major)
    return caught.value


def model(data: DataModel, name: str) -> ModelDef:
    return data.model(name)


def columns(index: IndexDef) -> list[tuple[str, bool]]:
    """An index's columns with their descending flag."""
    return [(f.column, f.descending) for f in index.fields]


def index_named(m: ModelDef, name: str) -> IndexDef:
    return next(i for i in m.indexes if i.name == name)


def assert_refused_at(case: str, where: str, words: str) -> None:
    """The invalid corpus case ``case`` is refused on the line holding ``where`` (the line
    Prisma names, which test_conformance.py checks), with ``words`` in the message."""
    text = corpus_text(f"invalid/{case}")
    line = next(
        n for n, t in enumerate(text.splitlines(), 1) if where in t and not t.startswith("//")
    )
    err = refusal(text)
    assert err.location is not None and err.location.line == line, str(err)
    assert words in err.message, str(err)
