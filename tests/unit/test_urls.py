from __future__ import annotations

import os

import pytest

from trueup.errors import ConfigError
from trueup.urls import parse_url, redact


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("file:./dev.db", "dev.db"),
        ("file:dev.db?connection_limit=1", "dev.db"),
        ("sqlite:///data/app.db", "data/app.db"),
        ("sqlite+pysqlite:///app.db", "app.db"),
        ("data/app.db", "data/app.db"),
    ],
)
def test_sqlite_urls(url: str, path: str) -> None:
    parsed = parse_url(url)
    assert parsed.engine == "sqlite"
    assert parsed.path == os.path.normpath(path)


def test_absolute_sqlite_url() -> None:
    assert parse_url("sqlite:////var/lib/app.db").path == "/var/lib/app.db"
    assert parse_url("file:/var/lib/app.db").path == "/var/lib/app.db"


def test_relative_paths_resolve_against_base_dir() -> None:
    assert parse_url("file:./dev.db", base_dir="/srv/app/prisma").path == "/srv/app/prisma/dev.db"


def test_memory() -> None:
    assert parse_url("sqlite://").path == ":memory:"
    assert parse_url(":memory:").path == ":memory:"


def test_postgres_urls_keep_the_password_out_of_sight() -> None:
    parsed = parse_url("postgresql+psycopg://app:s3cret@db:5432/media?sslmode=disable")
    assert parsed.engine == "postgresql"
    assert parsed.dsn == "postgresql://app:s3cret@db:5432/media?sslmode=disable"
    assert "s3cret" not in str(parsed) and "s3cret" not in repr(parsed)
    assert parsed.redacted() == "postgresql+psycopg://app:***@db:5432/media?sslmode=disable"
    assert parse_url("postgres://u@h/d").engine == "postgresql"


def test_a_password_in_the_query_string_is_hidden_too() -> None:
    parsed = parse_url("postgresql://app@/media?host=/run/pg&password=s3cret&sslmode=disable")
    assert str(parsed) == "postgresql://app@/media?host=/run/pg&password=***&sslmode=disable"
    assert "s3cret" not in repr(parsed)
    assert redact("postgresql://a:b@h/d?PASSWORD=c") == "postgresql://a:***@h/d?PASSWORD=***"


def test_a_libpq_keyword_string_is_refused_without_its_password() -> None:
    with pytest.raises(ConfigError) as err:
        parse_url("host=/run/pg dbname=media password='s3 cret'")
    assert "libpq connection string" in str(err.value)
    assert "s3" not in str(err.value) and "cret" not in str(err.value)
    assert "postgresql://" in (err.value.hint or "")


def test_redact_leaves_urls_without_password_alone() -> None:
    assert redact("postgresql://u@h/d") == "postgresql://u@h/d"
    assert redact("file:./x.db") == "file:./x.db"


@pytest.mark.parametrize("url", ["mysql://u:pw@h/d", "  ", "sqlite:relative.db"])
def test_bad_urls_are_clear_errors(url: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_url(url)
    assert "pw" not in str(err.value)


def test_a_prisma_postgres_url_is_refused_without_its_api_key() -> None:
    url = "prisma+postgres://accelerate.prisma-data.net/?api_key=eyJzZWNyZXQiOiJ4In0"
    with pytest.raises(ConfigError) as err:
        parse_url(url)
    assert "eyJ" not in str(err.value)
    assert "api_key=***" in str(err.value) and "postgresql://" in str(err.value)
