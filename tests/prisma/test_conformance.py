"""Fidelity against Prisma itself: the real Prisma CLI (6.19.3 and 7.10.1, installed from
the npm registry by prisma_cli/install.sh and prisma_cli7/install.sh, each with its
WebAssembly schema engine and a driver adapter: libSQL for SQLite, pg for PostgreSQL) and
trueup, on every schema of the corpus, on SQLite and on PostgreSQL, with each Prisma (see
conformance.py for which schemas run where):

(a) the database Prisma made and the one trueup made inspect to equal models, and on SQLite
    keep the same text of every table and index, byte for byte;
(b) ``trueup diff`` on Prisma's database says it is in sync;
(c) ``prisma db push`` on trueup's database says it is already in sync (for the few
    schemas Prisma never finds in sync even on its own database, it does on trueup's
    exactly what it does on its own).

And both reject the same invalid schemas, at the same line, and warn alike about the
schemas Prisma accepts with a warning.

The cases run ahead of the tests, in worker threads (conformance.py); each test waits for
its own case and checks it. PostgreSQL cases get two fresh databases each on the server of
tests/postgres/conftest.py.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.postgres.support import Server
from tests.prisma import conformance, prisma_cli
from tests.prisma.conformance import Case, Outcome
from trueup.cli import cli
from trueup.diff.differ import diff
from trueup.engines import get_dialect
from trueup.errors import SchemaError
from trueup.sources import load_schema

CASES = conformance.cases()
#: A schema and the Prisma that validates it (as that Prisma takes it: see materialise).
Validation = tuple[Path, prisma_cli.Prisma]
INVALID = sorted(
    (
        (schema, prisma)
        for turn, schema in enumerate(sorted((conformance.CORPUS / "invalid").iterdir()))
        for prisma in conformance.prismas_for(schema, turn, conformance.full_run())
    ),
    key=lambda v: prisma_cli.VERSIONS.index(v[1]),
)
#: Schemas Prisma accepts with schema warnings (``prisma validate`` prints them).
WARNED = [
    (conformance.CORPUS / "conformance" / "postgresql" / "set_null_required.prisma", prisma)
    for prisma in prisma_cli.VERSIONS
]
# Node starting up is most of a Prisma invocation, and the databases wait on each other:
# one more worker than cores keeps both busy.
WORKERS = (os.cpu_count() or 2) + 1


class Runs:
    """The cases and validations this session selected, started at once in worker
    threads; a test takes its own result when it is ready."""

    def __init__(self, executor: ThreadPoolExecutor) -> None:
        self.executor = executor
        self.cases: dict[str, Future[Outcome]] = {}
        self.validations: dict[str, Future[tuple[Path, prisma_cli.Result]]] = {}

    def outcome(self, case: Case) -> Outcome:
        return self.cases.pop(case.id).result()

    def validation(self, which: Validation) -> tuple[Path, prisma_cli.Result]:
        """The schema as the Prisma took it, and its verdict."""
        return self.validations.pop(_validation_id(which)).result()

    def close(self) -> None:
        """Stop what has not started, and drop the databases of cases no test took (a run
        stopped early)."""
        self.executor.shutdown(wait=True, cancel_futures=True)
        for future in self.cases.values():
            if future.done() and not future.cancelled() and future.exception() is None:
                future.result().cleanup()


def _selected(request: pytest.FixtureRequest, test: Callable[..., None], name: str) -> list[str]:
    return [
        item.callspec.id
        for item in request.session.items
        if isinstance(item, pytest.Function)
        and item.module is not None
        and item.module.__name__ == __name__
        and item.originalname == test.__name__
        and name in item.callspec.params
    ]


def _validation_id(which: Validation) -> str:
    schema, prisma = which
    return f"{schema.stem}-prisma{prisma.major}"


def _validate(which: Validation, folder: Path) -> tuple[Path, prisma_cli.Result]:
    """``prisma validate`` of the schema as its Prisma takes it (a copy in ``folder``)."""
    schema, prisma = which
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / schema.name
    text = schema.read_text()
    copy.write_text(prisma.schema_text(text))
    # validate connects to nothing, but Prisma 6 checks the URL's protocol.
    postgres = 'provider = "postgresql"' in text
    database = "postgresql://localhost/unused" if postgres else folder / "unused.db"
    return copy, prisma.validate(copy, database)


@pytest.fixture(scope="module")
def runs(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    prisma: None,
    prisma7: None,
) -> Iterator[Runs]:
    wanted_cases = set(_selected(request, test_prisma_and_trueup_build_the_same_database, "case"))
    wanted_validations = {
        *_selected(request, test_prisma_and_trueup_reject_the_same_schemas, "which"),
        *_selected(request, test_prisma_and_trueup_warn_alike, "which"),
    }
    cases = [c for c in CASES if c.id in wanted_cases]
    server: Server | None = None
    if any(c.engine == conformance.POSTGRESQL for c in cases):
        server = request.getfixturevalue("pg_server")
    runs = Runs(ThreadPoolExecutor(WORKERS, thread_name_prefix="conformance"))
    try:
        for case in cases:
            folder = tmp_path_factory.mktemp(case.id)
            runs.cases[case.id] = runs.executor.submit(conformance.run_case, case, folder, server)
        for which in [*INVALID, *WARNED]:
            name = _validation_id(which)
            if name in wanted_validations:
                folder = tmp_path_factory.mktemp(name)
                runs.validations[name] = runs.executor.submit(_validate, which, folder)
        yield runs
    finally:
        runs.close()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_prisma_and_trueup_build_the_same_database(case: Case, runs: Runs) -> None:
    outcome = runs.outcome(case)
    try:
        _check(case, outcome)
    finally:
        outcome.cleanup()


def _check(case: Case, outcome: Outcome) -> None:
    pushed = outcome.pushed
    assert pushed is not None
    assert pushed.code == 0 and "now in sync" in pushed.output, pushed.output
    assert outcome.trueup_error is None, outcome.trueup_error

    # (a) The same database, as trueup's inspector sees it.
    assert outcome.by_prisma is not None and outcome.by_trueup is not None
    assert outcome.by_trueup == outcome.by_prisma, _difference(case, outcome)

    # (a') On SQLite, which keeps each statement's text: the same text, byte for byte.
    if outcome.stored is not None:
        by_prisma, by_trueup = outcome.stored
        assert by_trueup == by_prisma

    # (b) trueup finds the database Prisma made in sync.
    url = prisma_cli.database_url(outcome.prisma_db)
    diffed = CliRunner().invoke(cli, ["diff", "--schema", str(outcome.schema), "--url", url])
    assert diffed.exit_code == 0, diffed.output
    assert "in sync" in diffed.output, diffed.output

    # (c) Prisma finds the database trueup made in sync.
    on_trueup = outcome.on_trueup
    assert on_trueup is not None
    if case.prisma_in_sync_with_itself:
        assert on_trueup.code == 0 and "already in sync" in on_trueup.output, on_trueup.output
        return
    # Prisma rebuilds part of its own database on every push; it must do no more on
    # trueup's. Should Prisma settle one day, this says so: the case moves.
    again = outcome.again
    assert again is not None
    if case.prisma_fails_on_its_own:
        assert again.code != 0, (
            f"Prisma's push onto its own database now succeeds: take {case.id} out of "
            f"PRISMA_FAILS_ON_ITS_OWN\n{again.output}"
        )
    else:
        assert again.code == 0, again.output
    assert "already in sync" not in again.output, (
        f"Prisma now finds its own database in sync: take {case.id} out of PRISMA_NEVER_IN_SYNC"
    )
    assert on_trueup.code == again.code, on_trueup.output
    assert _statements(on_trueup) == _statements(again), on_trueup.output


def _difference(case: Case, outcome: Outcome) -> str:
    """What differs between the two databases: the changes a push would make, or (when the
    difference is one no push would act on, like an order) the unequal tables."""
    prisma, trueup = outcome.by_prisma, outcome.by_trueup
    assert prisma is not None and trueup is not None
    changes = diff(prisma, trueup, get_dialect(case.engine).hooks)
    if changes:
        return "\n".join(str(c) for c in changes)
    pairs = zip(prisma.tables, trueup.tables, strict=False)
    unequal = [f"Prisma: {a}\ntrueup: {b}" for a, b in pairs if a != b]
    return "\n".join(unequal) or f"Prisma: {prisma}\ntrueup: {trueup}"


def _statements(result: prisma_cli.Result) -> str:
    """What Prisma says it changed: its output without the parts that vary by run."""
    text = re.sub(r"Done in \d+(\.\d+)?m?s", "Done", result.output)
    return re.sub(r'(database|Datasource|at) "[^"]*"', r"\1", text)


@pytest.mark.parametrize("which", INVALID, ids=_validation_id)
def test_prisma_and_trueup_reject_the_same_schemas(which: Validation, runs: Runs) -> None:
    schema, result = runs.validation(which)
    assert result.code != 0, result.output
    with pytest.raises(SchemaError) as caught:
        load_schema(str(schema))
    assert caught.value.location is not None
    prisma_lines = {int(n) for n in re.findall(r"-->\s+\S+:(\d+)", result.output)}
    assert caught.value.location.line in prisma_lines, (str(caught.value), result.output)


@pytest.mark.parametrize("which", WARNED, ids=_validation_id)
def test_prisma_and_trueup_warn_alike(which: Validation, runs: Runs) -> None:
    schema, result = runs.validation(which)
    assert result.code == 0, result.output
    prisma = _prisma_warnings(result.output)
    assert prisma, result.output
    declared = load_schema(str(schema))
    assert [w.message for w in declared.warnings] == prisma


def _prisma_warnings(output: str) -> list[str]:
    """The messages listed under Prisma's ``Prisma schema warning(s):``."""
    found: list[str] = []
    listing = False
    for line in output.splitlines():
        if line.startswith("Prisma schema warning"):
            listing = True
        elif listing and line.startswith("- "):
            found.append(line[2:].rstrip())
        else:
            listing = False
    return found


@pytest.mark.usefixtures("prisma7")
def test_prisma7_runs_the_schema_engine_of_its_own_release(tmp_path: Path) -> None:
    """The stand-in for the native engine runs the WebAssembly engine the prisma package
    ships, built from the same engine commit as the CLI's own."""
    result = prisma_cli.PRISMA7.run(["-v"], tmp_path / "unused.db")
    assert result.code == 0, result.output
    fields = dict(re.findall(r"^(.+?)\s+: (.*)$", result.output, re.MULTILINE))
    assert fields["prisma"] == prisma_cli.PRISMA7.version
    commit = fields["Default Engines Hash"]
    assert fields["Schema Engine"].startswith(f"schema-engine-cli {commit} (at schema-engine.mjs")
