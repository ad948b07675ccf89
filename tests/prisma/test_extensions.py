"""The datasource's ``extensions`` as the model has them (PostgreSQL, with the preview
feature ``postgresqlExtensions``); the errors are checked against Prisma's own in the
conformance suite (corpus/invalid/extensions_*)."""

from __future__ import annotations

import pytest

from trueup.errors import SchemaError
from trueup.model import Extension
from trueup.sources.prisma import read_data_model
from trueup.sources.prisma.lower import lower
from trueup.sources.prisma.source import SourceFile


def extensions(listed: str, preview: str = '["postgresqlExtensions"]') -> tuple[Extension, ...]:
    text = (
        f'generator client {{\n  provider = "prisma-client-js"\n  previewFeatures = {preview}\n}}\n'
        f'datasource db {{\n  provider = "postgresql"\n  extensions = {listed}\n}}\n'
        "model A {\n  id Int @id\n}\n"
    )
    _, data = read_data_model([SourceFile("schema.prisma", text)], environ={})
    return lower(data).extensions


def test_names_versions_schemas_and_database_names() -> None:
    # In Prisma's order (by name), each database name once; map: is the database's name.
    assert extensions(
        '[uuid_ossp(map: "uuid-ossp"), pg_trgm(version: "1.5"), citext, '
        'vector(schema: "public"), citext()]'
    ) == (
        Extension("citext"),
        Extension("pg_trgm", version="1.5"),
        Extension("uuid-ossp"),
        Extension("vector", schema="public"),
    )


def test_a_lone_extension_is_a_list_of_one() -> None:
    assert extensions("citext") == (Extension("citext"),)


def test_the_preview_feature_is_read_in_any_case() -> None:
    assert extensions("[citext]", '["postgresqlextensions"]') == (Extension("citext"),)


@pytest.mark.parametrize(
    ("listed", "preview", "said"),
    [
        ("[citext]", "[]", "only available with the `postgresqlExtensions` preview feature"),
        ('["citext"]', '["postgresqlExtensions"]', "Expected a constant or function value"),
        ("[citext(1)]", '["postgresqlExtensions"]', "The argument must have a name"),
        ("[citext(schema: 1)]", '["postgresqlExtensions"]', "Expected a string value"),
        ('[citext(foo: "x")]', '["postgresqlExtensions"]', 'Argument not known: "foo"'),
        (
            '[citext(schema: "a", schema: "b")]',
            '["postgresqlExtensions"]',
            "The argument `schema` can only be defined once",
        ),
    ],
)
def test_what_prisma_refuses(listed: str, preview: str, said: str) -> None:
    with pytest.raises(SchemaError) as caught:
        extensions(listed, preview)
    assert said in str(caught.value)
    assert caught.value.location is not None
