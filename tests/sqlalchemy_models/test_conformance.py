"""A database made by SQLAlchemy's create_all() and one made by trueup from the same models
are the same database: trueup finds the first in sync, and its push into an empty database
gives the second, equal to the first in the engine's own catalogs and in SQLAlchemy's
Inspector. On SQLite and PostgreSQL, over models that use everything create_all() makes
(tests/sqlalchemy_models/everything.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.schema import CreateSchema

from tests.postgres.support import Server
from tests.sqlalchemy_models.catalogs import postgres_catalog, reflected, sa_url, sqlite_catalog
from tests.sqlalchemy_models.everything import models
from trueup.push import plan_for, push
from trueup.sources.sqlalchemy.compile import schemas
from trueup.sources.sqlalchemy.load import load_metadata
from trueup.urls import parse_url


def create_all(url: str, engine: str) -> None:
    metadata = models(engine)
    sa_engine = create_engine(sa_url(url))
    try:
        with sa_engine.begin() as conn:
            for name in schemas(metadata):
                conn.execute(CreateSchema(name, if_not_exists=True))
            metadata.create_all(conn)
    finally:
        sa_engine.dispose()


def check(made_by_create_all: str, made_by_trueup: str, engine: str) -> None:
    metadata = models(engine)
    url = parse_url(made_by_create_all)
    declared = load_metadata(metadata, "everything", engine, url=url)
    assert plan_for(url, declared).steps == (), "create_all's database is in sync"
    result = push(parse_url(made_by_trueup), declared)
    assert result.applied
    assert plan_for(parse_url(made_by_trueup), declared).is_empty
    namespaces = (None, *schemas(metadata))
    assert reflected(made_by_trueup, namespaces) == reflected(made_by_create_all, namespaces)


def test_sqlite(tmp_path: Path) -> None:
    a, b = str(tmp_path / "create_all.db"), str(tmp_path / "trueup.db")
    create_all(a, "sqlite")
    check(a, b, "sqlite")
    assert sqlite_catalog(b) == sqlite_catalog(a)


def test_postgres(pg_server: Server) -> None:
    a, b = pg_server.create_database(), pg_server.create_database()
    try:
        create_all(a.url, "postgresql")
        check(a.url, b.url, "postgresql")
        assert postgres_catalog(b.url) == postgres_catalog(a.url)
    finally:
        pg_server.drop_database(a)
        pg_server.drop_database(b)


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_models_compile_for_each_engine(engine: str) -> None:
    from trueup.sources.sqlalchemy.compile import create_ddl

    assert create_ddl(models(engine), engine).statements
