"""Differential testing against the real Prisma CLI (6.19.3), the CI-sized run: schemas
drawn over Prisma's whole grammar by the generator of tests/prisma/fuzz, valid ones in the
usual spelling and in every other, and broken ones; for each, Prisma's verdict decides
(valid or not; for a valid one, the database ``db push`` builds), and trueup must do the
same. The draw is from a fixed seed: the same cases every run. ``scripts/fuzz-prisma N``
runs as many as wanted (drawn by hypothesis), and makes each difference small.

Where trueup differs from Prisma today, the difference is in KNOWN (tests/prisma/
differential_known.py) with its smallest schema, and a generated case showing it passes.
Each entry is checked to differ still: when trueup is fixed, the test says to remove it.
The oracle here is one long-running Node process on the CLI's own WebAssembly; that it
answers as the CLI does is checked on a sample of cases run both ways.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.postgres.support import Server
from tests.prisma.conformance import inspect
from tests.prisma.differential_known import KNOWN, Known
from tests.prisma.fuzz.cases import Case, seeded_cases
from tests.prisma.fuzz.harness import Databases, Finding, check
from tests.prisma.fuzz.oracle import CliOracle, ServerOracle, prisma_version
from tests.prisma.fuzz.report import schema_text

#: Cases per engine: a PostgreSQL case costs more (two databases, a scratch one). The draw
#: is from a seed (not hypothesis's engine, whose draws vary with the modules a run loads):
#: the same cases on every run.
COUNTS = {"sqlite": 40, "postgresql": 16}
SEED = 15
ENGINES = list(COUNTS)


@pytest.fixture(scope="module")
def oracle(prisma: None) -> Iterator[ServerOracle]:
    version = prisma_version("6")
    version.install()
    server = ServerOracle(version)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def databases(request: pytest.FixtureRequest, engine: str) -> Databases:
    server: Server | None = None
    if engine == "postgresql":
        server = request.getfixturevalue("pg_server")
    return Databases(engine, server)


def known_for(finding: Finding, engine: str) -> Known | None:
    return next((k for k in KNOWN if k.explains(finding, engine)), None)


def report(case: Case, finding: Finding) -> str:
    return (
        f"trueup differs from Prisma ({finding.signature}) on this {case.provider} schema "
        f"({case.kind}{': ' + case.note if case.note else ''}):\n\n{schema_text(case.files)}\n"
        f"Prisma: {finding.prisma[:1500]}\ntrueup: {finding.trueup[:1500]}\n"
        "Fix trueup, or (if it cannot be fixed now) make the schema small with "
        "scripts/fuzz-prisma and add it to tests/prisma/differential_known.py."
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_generated_schemas_get_prismas_verdict(
    engine: str, oracle: ServerOracle, databases: Databases
) -> None:
    unexplained: list[tuple[Case, Finding]] = []
    for case in seeded_cases(SEED, engine, COUNTS[engine]):
        finding = check(oracle, case.files, databases)
        if finding is not None and known_for(finding, engine) is None:
            unexplained.append((case, finding))
    if unexplained:
        kinds = sorted({f.signature for _, f in unexplained})
        listing = "\n".join(f"- {k}" for k in kinds)
        pytest.fail(
            f"{len(unexplained)} cases differ in ways KNOWN does not explain:\n{listing}\n\n"
            f"The first:\n{report(*unexplained[0])}"
        )


def test_known_differences_still_differ(
    oracle: ServerOracle, request: pytest.FixtureRequest
) -> None:
    """Each entry of KNOWN still shows its difference (none is left today: the list is
    where a difference found and not fixed yet is written down)."""
    for known in KNOWN:
        server = request.getfixturevalue("pg_server") if known.engine == "postgresql" else None
        databases = Databases(known.engine, server)
        finding = check(oracle, (("schema.prisma", known.schema),), databases)
        assert finding is not None, (
            f"trueup now does what Prisma does on {known.name!r}: remove it from KNOWN in "
            "tests/prisma/differential_known.py."
        )
        assert known.explains(finding, known.engine), (
            f"{known.name!r} now shows another difference: {finding.signature}\n"
            f"Prisma: {finding.prisma}\ntrueup: {finding.trueup}"
        )


#: The sample the two oracles both answer: generated cases of every kind, and the known
#: differences (whose schemas sit on the edges of the grammar).
SAMPLE_SIZE = 4


def _sample() -> list[tuple[tuple[str, str], ...]]:
    drawn = [case.files for case in seeded_cases(SEED, "sqlite", SAMPLE_SIZE + COUNTS["sqlite"])]
    drawn = drawn[COUNTS["sqlite"] :]  # not the ones the test above runs
    known = [(("schema.prisma", k.schema),) for k in KNOWN if k.engine == "sqlite"][:3]
    return [*drawn, *known, TWICE_IN_TWO_FILES]


#: Which definition Prisma reports depends on the order it reads a folder's files in.
TWICE_IN_TWO_FILES = (
    (
        "schema.prisma",
        'datasource db {\n  provider = "sqlite"\n  url      = env("DATABASE_URL")\n}\n\n'
        "model A {\n  id Int @id\n}\n",
    ),
    ("part.prisma", "model A {\n  id Int @id\n}\n"),
)


def test_the_oracle_answers_as_the_cli(oracle: ServerOracle, tmp_path: Path) -> None:
    """The long-running oracle and the plain CLI give the same verdicts, messages and
    warnings on a sample, and build the same databases."""
    sample = _sample()
    env = {"DATABASE_URL": f"file:{tmp_path / 'unused.db'}"}
    cli = CliOracle()
    with ThreadPoolExecutor(2) as pool:
        by_cli = list(pool.map(lambda files: cli.validate(files, env), sample))
    for files, slow in zip(sample, by_cli, strict=True):
        fast = oracle.validate(files, env)
        assert (fast.valid, fast.errors, fast.warnings) == (
            slow.valid,
            slow.errors,
            slow.warnings,
        ), schema_text(files)
        assert set(fast.locations) == set(slow.locations), schema_text(files)
    valid = [files for files, verdict in zip(sample, by_cli, strict=True) if verdict.valid]
    assert valid, "the sample has no valid schema"
    for n, files in enumerate(valid[:2]):
        by_server, by_cli_db = f"file:{tmp_path}/server{n}.db", f"file:{tmp_path}/cli{n}.db"
        pushed, pushed_by_cli = oracle.push(files, by_server), cli.push(files, by_cli_db)
        assert pushed.ok == pushed_by_cli.ok, (pushed, pushed_by_cli)
        if pushed.ok:
            # The same database, as trueup reads it and as Prisma reads it.
            made = [inspect(Path(url.removeprefix("file:")), ()) for url in (by_server, by_cli_db)]
            assert made[0] == made[1], schema_text(files)
            assert oracle.plan(files, by_server) == oracle.plan(files, by_cli_db)


def test_findings_have_stable_signatures() -> None:
    """A known difference is matched by its signature: a pattern that does compile, and
    names a category the harness makes."""
    categories = {
        "trueup-rejects",
        "trueup-accepts",
        "trueup-crashes",
        "reject-elsewhere",
        "trueup-push-fails",
        "prisma-push-fails",
        "databases-differ",
        "trueup-finds-prisma-database-unsynced",
        "prisma-finds-trueup-database-unsynced",
    }
    for known in KNOWN:
        re.compile(known.signature)
        named = re.findall(r"[a-z]+(?:-[a-z]+)+", known.signature.split(":")[0])
        assert named and set(named) <= categories, known.name
        assert known.engine in ENGINES, known.name


def test_minimise_keeps_what_shows_the_difference() -> None:
    """The minimiser drops blocks, lines and attributes while the difference stays (here:
    a stand-in for one, a lone field in @@index within a well-formed block)."""
    from tests.prisma.fuzz.minimise import minimise

    text = (
        'datasource db {\n  provider = "sqlite"\n}\n\nenum E {\n  A\n}\n\n'
        "model M {\n  id Int @id @default(autoincrement()) // the key\n  b  Int @unique\n"
        '  c  String @map("cc")\n\n  @@index(b)\n  @@map("m")\n}\n'
    )

    def still(files: tuple[tuple[str, str], ...]) -> bool:
        body = files[0][1]
        return "@@index(b)" in body and "model M {" in body and body.count("{") == body.count("}")

    small = minimise((("schema.prisma", text),), still)
    assert small[0][1] == 'datasource db {\n  provider = "sqlite"\n}\nmodel M {\n  @@index(b)\n}\n'
