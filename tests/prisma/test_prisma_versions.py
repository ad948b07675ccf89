"""The rules of Prisma 6 and 7 where they differ, which one applies, and the datasource and
generator checks (docs/prisma.md, "Prisma 6 and 7"). Prisma 7.10.1's verdicts here were
taken from its CLI's `validate`; the Prisma 6 ones are corpus cases that
test_conformance.py checks with Prisma 6.19.3."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.prisma.grammar_support import (
    POSTGRES,
    POSTGRES_7,
    SQLITE,
    SQLITE_7,
    assert_refused_at,
    data_model,
    document,
    refusal,
)
from trueup.sources.prisma import load_prisma, prisma_major

MODEL = "model A {\n  id Int @id\n}\n"


def generator(*features: str) -> str:
    listed = ", ".join(f'"{f}"' for f in features)
    return f'generator client {{\n  provider        = "x"\n  previewFeatures = [{listed}]\n}}\n'


# --- which major ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "major"),
    [
        (SQLITE, 6),
        (SQLITE_7, 7),
        ('datasource db {\n  provider  = "postgresql"\n  directUrl = env("D")\n}\n', 6),
    ],
)
def test_a_schema_naming_a_connection_url_is_for_prisma_6(head: str, major: int) -> None:
    assert prisma_major(document(head + MODEL)) == major


def test_load_prisma_takes_the_major_it_is_given(tmp_path: Path) -> None:
    path = tmp_path / "schema.prisma"
    path.write_text(SQLITE + MODEL)
    assert load_prisma(str(path), environ={}).schema.tables[0].name == "A"
    assert load_prisma(str(path), environ={}, major=6).schema.tables[0].name == "A"
    with pytest.raises(Exception, match="`url` is no longer supported"):
        load_prisma(str(path), environ={}, major=7)


# --- Prisma 7 takes no URL in the schema ------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("url", "Move connection URLs for Migrate to `prisma.config.ts`"),
        ("directUrl", "Move connection URLs to `prisma.config.ts`"),
        ("shadowDatabaseUrl", "Move connection URLs to `prisma.config.ts`"),
    ],
)
def test_prisma_7_refuses_connection_urls(key: str, words: str) -> None:
    head = f'datasource db {{\n  provider = "postgresql"\n  {key} = env("X")\n}}\n'
    err = refusal(head + MODEL, major=7)
    assert err.message.startswith(f"The datasource property `{key}` is no longer supported")
    assert words in err.message
    assert err.location is not None and err.location.line == 3
    data_model(head + MODEL, major=6)


# --- preview features -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("feature", "in_6", "in_7"),
    [
        ("metrics", True, False),
        ("partialIndexes", False, True),
        ("views", True, True),
        ("relationJoins", True, True),
        ("fullTextSearch", True, True),  # stable long ago: accepted and ignored
        ("multiSchema", True, True),
        ("typedSql", True, True),
        ("VIEWS", True, True),  # Prisma compares the names ignoring case
        ("fullTextSearchPostgres", False, False),  # PostgreSQL's alone
        ("notAFeature", False, False),
    ],
)
def test_preview_features_each_major_knows(feature: str, in_6: bool, in_7: bool) -> None:
    text = SQLITE_7 + generator(feature) + MODEL
    for major, known in ((6, in_6), (7, in_7)):
        if known:
            data_model(text, major=major)
        else:
            err = refusal(text, major=major)
            assert err.message.startswith(f'The preview feature "{feature}" is not known.')


def test_full_text_search_postgres_is_known_on_postgresql() -> None:
    data_model(POSTGRES + generator("fullTextSearchPostgres") + MODEL, major=6)
    err = refusal(POSTGRES_7 + generator("nope") + MODEL, major=7)
    assert "Expected one of: fullTextSearchPostgres, nativeDistinct, partialIndexes" in err.message


@pytest.mark.parametrize(
    ("case", "where", "words"),
    [
        ("unknown_preview_feature", "notAFeature", 'The preview feature "notAFeature"'),
        ("partial_indexes_in_prisma_6", "partialIndexes", "Expected one of: metrics"),
        ("preview_features_in_datasource", "previewFeatures", "only supported in the generator"),
        ("generator_key_twice", 'output   = "b"', 'Key "output" is already defined'),
        ("view_without_preview_feature", "view Totals", "only available with the `views`"),
        ("view_with_primary_key", "@id", "Views cannot have primary keys."),
        ("view_with_index", "@@index", "Views cannot have indexes."),
    ],
)
def test_generator_and_view_errors(case: str, where: str, words: str) -> None:
    assert_refused_at(case, where, words)


# --- the datasource ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "where", "words"),
    [
        ("shadow_database_same_as_direct", "directUrl", "the same as directUrl"),
        ("shadow_database_same_as_url", "  url  ", "the same as url"),
        ("schema_named_twice", "schemas", "Duplicated schema names are not allowed"),
        ("relation_mode_and_referential_integrity", "referentialIntegrity", "cannot be used"),
        ("env_in_provider", "datasource db", "must not use the env() function"),
        ("env_with_trailing_comma", "url", "Exactly one string parameter"),
        ("property_without_value", "datasource db", "needs to be assigned a value"),
    ],
)
def test_datasource_errors(case: str, where: str, words: str) -> None:
    assert_refused_at(case, where, words)


def test_an_empty_shadow_database_url_is_no_shadow_database() -> None:
    head = (
        'datasource db {\n  provider = "postgresql"\n  url = env("U")\n'
        '  shadowDatabaseUrl = ""\n}\n'
    )
    data_model(head + MODEL)


def test_an_empty_url_is_no_url() -> None:
    # Prisma checks no URL at validation; an empty one is simply none.
    data = data_model('datasource db {\n  provider = "sqlite"\n  url = ""\n}\n' + MODEL)
    assert data.datasource.url is None


def test_a_datasource_without_a_provider() -> None:
    err = refusal('datasource db {\n  url = "file:a.db"\n  colour = "red"\n}\n' + MODEL)
    assert err.message == 'Argument "provider" is missing in data source block "db".'
    assert err.location is not None and err.location.line == 1


def test_env_may_name_its_argument() -> None:
    data_model('datasource db {\n  provider = "sqlite"\n  url = env(name: "U")\n}\n' + MODEL)
