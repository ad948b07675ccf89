"""``generator`` blocks: read for what Prisma checks in them (a provider, known preview
features) and for the preview features that change what a schema may say (``views``).
The features Prisma knows differ between its majors: 7 dropped ``metrics`` and added
``partialIndexes``."""

from __future__ import annotations

from trueup.sources.prisma.attributes import mismatch
from trueup.sources.prisma.datamodel import POSTGRESQL
from trueup.sources.prisma.source import fail
from trueup.sources.prisma.syntax import Array, Document, Str

# Every feature name either major accepts: the current ones and those that became stable
# or were retired (accepted and ignored). Prisma compares them ignoring case.
_ACCEPTED = frozenset(
    name.lower()
    for name in [
        "aggregateApi",
        "atomicNumberOperations",
        "clientExtensions",
        "cockroachdb",
        "connectOrCreate",
        "createMany",
        "dataProxy",
        "deno",
        "distinct",
        "driverAdapters",
        "extendedIndexes",
        "extendedWhereUnique",
        "fieldReference",
        "filterJson",
        "filteredRelationCount",
        "fullTextIndex",
        "fullTextSearch",
        "groupBy",
        "improvedQueryRaw",
        "interactiveTransactions",
        "jsonProtocol",
        "metrics",
        "microsoftSqlServer",
        "middlewares",
        "mongoDb",
        "multiSchema",
        "nApi",
        "namedConstraints",
        "nativeDistinct",
        "nativeTypes",
        "omitApi",
        "orderByAggregateGroup",
        "orderByNulls",
        "orderByRelation",
        "partialIndexes",
        "postgresqlExtensions",
        "prismaSchemaFolder",
        "queryCompiler",
        "reactNative",
        "referentialActions",
        "referentialIntegrity",
        "relationJoins",
        "schemaEngineDriverAdapters",
        "selectRelationCount",
        "shardKeys",
        "strictUndefinedChecks",
        "tracing",
        "transactionApi",
        "typedSql",
        "uncheckedScalarInputs",
        "views",
    ]
)
_ONLY_IN = {"metrics": 6, "partialindexes": 7}
# What each major lists as its current features when it refuses a name.
_CURRENT = {
    6: "metrics, nativeDistinct, postgresqlExtensions, relationJoins, "
    "schemaEngineDriverAdapters, shardKeys, strictUndefinedChecks, views",
    7: "nativeDistinct, partialIndexes, postgresqlExtensions, relationJoins, "
    "schemaEngineDriverAdapters, shardKeys, strictUndefinedChecks, typedSql, views",
}


def read_generators(doc: Document, major: int, provider: str) -> set[str]:
    """The preview features the generators enable (lower case), checked for Prisma
    ``major`` and the datasource's ``provider`` (``fullTextSearchPostgres`` is
    PostgreSQL's alone)."""
    accepted = _ACCEPTED | ({"fulltextsearchpostgres"} if provider == POSTGRESQL else set())
    current = _CURRENT.get(major, _CURRENT[7])
    if provider == POSTGRESQL:
        current = "fullTextSearchPostgres, " + current
    features: set[str] = set()
    names: set[str] = set()
    for config in doc.configs("generator"):
        if config.name in names:
            raise fail(
                config.name_pos,
                f'The generator "{config.name}" cannot be defined because a generator with '
                "that name already exists.",
            )
        names.add(config.name)
        keys: set[str] = set()
        for prop in config.properties:
            if prop.key in keys:
                raise fail(
                    prop.pos,
                    f'Key "{prop.key}" is already defined in generator "{config.name}".',
                )
            keys.add(prop.key)
        if config.get("provider") is None:
            raise fail(
                config.pos, f'Argument "provider" is missing in generator block "{config.name}".'
            )
        listed = config.get("previewFeatures")
        if listed is None:
            continue
        items = listed.value.items if isinstance(listed.value, Array) else (listed.value,)
        for item in items:
            if not isinstance(item, Str):
                raise mismatch("string", item)
            name = item.value.lower()
            if name not in accepted or _ONLY_IN.get(name, major) != major:
                raise fail(
                    item.pos,
                    f'The preview feature "{item.value}" is not known. Expected one of: {current}',
                    hint=f"These are Prisma {major}'s preview features.",
                )
            features.add(name)
    return features
