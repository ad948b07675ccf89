"""Run many differential cases (``scripts/fuzz-prisma N``): generate, compare with Prisma,
make each new kind of difference small, and write it down.

    python -m tests.prisma.fuzz.run N [--engine sqlite|postgresql|both] [--seed S]
        [--out DIR] [--prisma 6|7] [--no-databases] [--minimise K]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings

from tests.postgres.support import Server
from tests.prisma import prisma_cli
from tests.prisma.fuzz.cases import KINDS, Case, cases
from tests.prisma.fuzz.harness import Databases, Finding, check, gist
from tests.prisma.fuzz.minimise import minimise
from tests.prisma.fuzz.oracle import Files, Oracle, ServerOracle, prisma_version
from tests.prisma.fuzz.report import Found, describe, findings_list, summary, write_found

ROOT = Path(__file__).resolve().parents[3]


class Runner:
    def __init__(
        self, oracle: Oracle, out: Path | None, *, databases: bool, minimise_first: int
    ) -> None:
        self.oracle = oracle
        self.out = out
        self.databases = databases
        self.minimise_first = minimise_first
        self.found: dict[str, Found] = {}
        self.counts: dict[str, int] = {"cases": 0}
        self.stages: dict[str, int] = {}
        self.started = time.monotonic()

    def run(self, case: Case, dbs: Databases) -> None:
        self.counts["cases"] += 1
        self.counts[case.kind] = self.counts.get(case.kind, 0) + 1
        try:
            finding = check(
                self.oracle, case.files, dbs, databases=self.databases, stages=self.stages
            )
        except Exception as exc:  # the harness's own failure: shown, and the run goes on
            trace = "".join(traceback.format_exception(exc))
            finding = Finding("harness-fails", gist(f"{type(exc).__name__}: {exc}"), "", trace)
        if finding is None:
            return
        item = self.found.get(finding.signature)
        if item is not None:
            item.count += 1
            item.providers.add(case.provider)
            return
        item = Found(finding, case, providers={case.provider})
        self.found[finding.signature] = item
        if len(self.found) <= self.minimise_first or self.minimise_first < 0:
            self._minimise(item, dbs)
        if self.out is not None:
            item.folder = write_found(self.out, len(self.found), item)

    def _minimise(self, item: Found, dbs: Databases) -> None:
        key = (item.finding.signature, item.finding.also)

        def still(files: Files) -> bool:
            found = check(self.oracle, files, dbs, databases=self.databases)
            return found is not None and (found.signature, found.also) == key

        small = minimise(item.case.files, still)
        again = check(self.oracle, small, dbs, databases=self.databases)
        if again is not None and (again.signature, again.also) == key:
            item.minimal, item.minimal_finding = small, again

    def progress(self) -> str:
        seconds = time.monotonic() - self.started
        differing = sum(f.count for f in self.found.values())
        return (
            f"{self.counts['cases']} cases, {seconds:.0f} s, {differing} differ "
            f"({len(self.found)} kinds)"
        )


def drive(
    runner: Runner, provider: str, count: int, dbs: Databases, *, major: int, at: int
) -> None:
    """``count`` cases for ``provider``, drawn by hypothesis from seed ``at``."""

    @seed(at)
    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(cases(provider, major, KINDS))
    def one(case: Case) -> None:
        runner.run(case, dbs)
        if runner.counts["cases"] % 50 == 0:
            print(runner.progress(), flush=True)

    one()


@contextmanager
def postgres_server(url: str | None) -> Iterator[Server]:
    """The server given, or a throwaway one (scripts/postgres) for the run."""
    if url:
        yield Server(url)
        return
    folder = tempfile.mkdtemp(prefix="trueup-fuzz-pg.")
    script = str(ROOT / "scripts" / "postgres")
    started = subprocess.run([script, "start", folder], capture_output=True, text=True, check=False)
    if started.returncode != 0:
        raise SystemExit(f"scripts/postgres could not start a server:\n{started.stderr}")
    try:
        yield Server(started.stdout.strip().splitlines()[-1])
    finally:
        subprocess.run([script, "stop", folder], capture_output=True, check=False)


def _stop(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds: the throwaway server is stopped on the way


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _stop)
    parser = argparse.ArgumentParser(prog="fuzz-prisma", description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int, help="how many cases (split between the engines)")
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--seed", type=int, default=0, help="the same seed draws the same cases")
    parser.add_argument("--out", type=Path, default=Path("fuzz-findings"), help="where to write")
    parser.add_argument("--prisma", default="6", help="6 (6.19.3) or 7 (7.10.1)")
    parser.add_argument("--url", help="a PostgreSQL server to use (default: a throwaway one)")
    parser.add_argument("--no-databases", action="store_true", help="compare verdicts only")
    parser.add_argument(
        "--minimise", type=int, default=-1, help="make the first K kinds small (-1: all)"
    )
    args = parser.parse_args(argv)

    try:
        prisma = prisma_version(args.prisma)
        prisma.install()
    except (prisma_cli.InstallFailed, prisma_cli.Unavailable) as exc:
        print(f"fuzz-prisma: {exc}", file=sys.stderr)
        return 2
    oracle = ServerOracle(prisma)
    args.out.mkdir(parents=True, exist_ok=True)
    runner = Runner(oracle, args.out, databases=not args.no_databases, minimise_first=args.minimise)
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    print(
        f"Prisma {oracle.version}; {args.count} cases on {' and '.join(engines)}; seed {args.seed}"
    )
    try:
        for n, engine in enumerate(engines):
            count = args.count // len(engines) + (1 if n < args.count % len(engines) else 0)
            if engine == "sqlite" or args.no_databases or not oracle.can_push:
                drive(runner, engine, count, Databases(engine), major=prisma.major, at=args.seed)
                continue
            with postgres_server(args.url or _postgres_url()) as server:
                dbs = Databases(engine, server)
                drive(runner, engine, count, dbs, major=prisma.major, at=args.seed)
    finally:
        oracle.close()
    seconds = time.monotonic() - runner.started
    for item in runner.found.values():  # again, with how often each was seen
        if item.folder is not None:
            (item.folder / "finding.md").write_text(describe(item), encoding="utf-8")
    text = summary(runner.found, runner.counts, runner.stages, seconds)
    print(text)
    header = f"# Differences with Prisma {oracle.version}\n\n```\n{text}\n```"
    (args.out / "findings.md").write_text(findings_list(runner.found, header), encoding="utf-8")
    print(f"Reproducers in {args.out}/ (findings.md lists them all).")
    return 1 if runner.found else 0


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


if __name__ == "__main__":
    sys.exit(main())
