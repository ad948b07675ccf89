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
    Known(
        "lone-field-for-a-list",
        BOTH,
        r"(trueup-rejects|reject-elsewhere): Expected a list of field names",
        sqlite("""\
model A {
  id Int @id
  b  Int

  @@index(b)
}
"""),
        "Prisma reads a lone value where a list is expected as a one-item list "
        "(@@index(b), fields: b, references: id).",
    ),
    Known(
        "unnamed-argument-after-named-ones",
        BOTH,
        r"(trueup-rejects|reject-elsewhere): Unexpected unnamed argument in",
        sqlite("""\
model A {
  id Int @id
  b  Int

  @@index(map: "a_b", [b])
}
"""),
        "Prisma takes the positional argument anywhere in the list, not only first.",
    ),
    Known(
        "block-comment",
        BOTH,
        r"(trueup-rejects|reject-elsewhere): Unexpected character `/`",
        sqlite("""\
model A {
  id Int @id
  /* a note */
}
"""),
        "/* */ and /** */ comments: on a line of their own, before an item on its line, or "
        "as the comment after one.",
    ),
    Known(
        "text-after-an-opening-brace",
        BOTH,
        r"(trueup-rejects|reject-elsewhere): Unexpected …: the `\{` of a model must end its line",
        sqlite("""\
model A { anything
  id Int @id
}
"""),
        "Prisma's grammar skips whatever follows a block's { on its line.",
    ),
    Known(
        "named-argument-of-a-default-function",
        BOTH,
        r"(trueup-rejects|reject-elsewhere): The function … takes at most one argument",
        sqlite("""\
model A {
  id String @id @default(nanoid(length: 5))
}
"""),
        "nanoid(length: 5): the argument given by its name.",
    ),
    Known(
        "ignored-argument-of-an-index-field",
        BOTH,
        r"(trueup-rejects|reject-elsewhere): No such argument … for the field",
        sqlite("""\
model A {
  id Int @id
  b  Int

  @@index([b(order: Desc)])
}
"""),
        "Prisma ignores an argument it does not know in an index field's call.",
    ),
    Known(
        "legacy-colon-accepted",
        BOTH,
        r"trueup-accepts: Field declarations don't require a `:`",
        sqlite("""\
model A {
  id: Int @id
}
"""),
        "Prisma's grammar has the legacy `name: Type` only to refuse it.",
    ),
    Known(
        "trailing-comma-in-attribute-arguments",
        BOTH,
        r"trueup-accepts: Error parsing attribute …: Trailing commas are not valid",
        sqlite("""\
model A {
  id Int @id

  @@map("a",)
}
"""),
        "Prisma's grammar reads a trailing comma in an argument list only to refuse it.",
    ),
    Known(
        "trailing-comma-in-a-list",
        BOTH,
        r"trueup-accepts: Error validating: This line is not a valid field or attribute",
        sqlite("""\
model A {
  id Int @id
  b  Int

  @@index([b,])
}
"""),
        "Prisma's lists take no trailing comma.",
    ),
    Known(
        "an-error-prisma-does-not-report",
        BOTH,
        r"reject-elsewhere: Each model must have at least one unique criteria",
        sqlite("""\
model A {
  a    Int
  aKey Int?
  b    A?   @relation("r", fields: [aKey], references: [key])
  bs   A[]  @relation("r")
}
"""),
        "Both refuse the schema; Prisma for the unknown field in `references` (and not for "
        "the missing unique criteria), trueup for the missing unique criteria.",
    ),
    Known(
        "an-error-prisma-reports-elsewhere",
        BOTH,
        r"reject-elsewhere: The … attribute needs a non-empty list of fields",
        sqlite("""\
model A {
  id Int @id

  @@id([])
}
"""),
        "Both refuse the schema; Prisma for @id and @@id together (on the model's line), "
        "trueup for the empty list.",
    ),
    # Validations Prisma makes and trueup does not.
    Known(
        "dash-in-a-model-name",
        BOTH,
        r"trueup-accepts: Error validating: The character `-` is not allowed in Model names",
        sqlite("""\
model A-b {
  id Int @id
}
"""),
        "Prisma's identifiers may hold `-`; its validation then refuses it in names.",
    ),
    Known(
        "shadow-database-url-equal-to-url",
        BOTH,
        r"trueup-accepts: shadowDatabaseUrl is the same as",
        sqlite("", '  shadowDatabaseUrl = env("DATABASE_URL")\n'),
        "Prisma refuses a shadow database that is the database itself (P1012).",
    ),
    Known(
        "cycle-of-emulated-referential-actions",
        BOTH,
        r"trueup-accepts: Error validating: Reference causes a cycle",
        sqlite(
            """\
model A {
  id  Int  @id
  bId Int?
  b   B?   @relation(fields: [bId], references: [id])
  bs  B[]  @relation("back")
}

model B {
  id  Int  @id
  aId Int?
  a   A?   @relation("back", fields: [aId], references: [id])
  as  A[]
}
""",
            '  relationMode = "prisma"\n',
        ),
        "With relationMode = prisma, Prisma refuses referential actions that cycle.",
    ),
    # The databases.
    Known(
        "sqlite-number-default-as-written",
        ("sqlite",),
        r"databases-differ: ModifyTable\[ModifyColumn\(default of (INTEGER|BIGINT)\)",
        sqlite("""\
model A {
  id Int @id @default(007)
}
"""),
        "Prisma writes the number it read (DEFAULT 7); trueup the literal as written (007), "
        "which SQLite keeps in the table's SQL.",
    ),
    Known(
        "relation-scalar-of-another-native-type",
        ("postgresql",),
        r"(trueup-rejects|reject-elsewhere): The type of the field … in the model … is not "
        r"matching the type of the referenced field",
        postgres("""\
model A {
  id String @id @db.VarChar(30)
  bs B[]
}

model B {
  id  Int    @id
  aId String
  a   A      @relation(fields: [aId], references: [id])
}
"""),
        "Prisma compares scalar types only; the foreign key column keeps its own native type.",
    ),
    Known(
        "postgresql-money-default-given-as-text",
        ("postgresql",),
        r"databases-differ: ModifyTable\[ModifyColumn\(default of MONEY\)\]",
        postgres("""\
model A {
  id    Int     @id
  price Decimal @db.Money @default("3.25")
}
"""),
        "Prisma writes DEFAULT 3.25; trueup the text '3.25', which PostgreSQL keeps as "
        "'$3.25'::money. Prisma then sets the default again on trueup's database.",
    ),
]
