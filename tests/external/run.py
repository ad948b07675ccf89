"""Run a suite of external cases against trueup and write the results
(``scripts/external-psqldef``, ``scripts/external-sqlite3def``; docs/external-suites.md).

    python -m tests.external.run {psqldef,sqlite3def} OUT [--external DIR] [--cases FILE ...]
        [--only PATTERN] [--jobs N] [--timeout SECONDS] [--url POSTGRES_URL]
"""

from __future__ import annotations

import argparse
import fnmatch
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.external import report
from tests.external.cases import EXTERNAL, SUITES, Case, load_cases, not_applicable, suite_files
from tests.external.judge import Databases, Outcome, judge
from tests.external.pg_databases import PostgresDatabases, cluster, prepare_server
from tests.external.sqlite_databases import SqliteDatabases


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.external.run",
        description="Run sqldef's cases against trueup and write results.json and results.md "
        "into OUT.",
    )
    parser.add_argument("suite", choices=sorted(SUITES))
    parser.add_argument("out", type=Path, help="the folder the results are written to")
    parser.add_argument(
        "--external",
        type=Path,
        default=EXTERNAL,
        help=f"the external data (default: {EXTERNAL})",
    )
    parser.add_argument(
        "--cases", type=Path, nargs="+", help="YAML files of cases, instead of the suite's"
    )
    parser.add_argument("--only", help="run the cases whose name matches this glob pattern")
    parser.add_argument("--jobs", type=int, default=1, help="cases run at once (default 1)")
    parser.add_argument("--timeout", type=float, default=180, help="seconds per case (default 180)")
    parser.add_argument(
        "--url", help="PostgreSQL: this server's maintenance database instead of a throwaway one"
    )
    return parser.parse_args(argv)


def case_files(args: argparse.Namespace) -> list[Path] | str:
    """The YAML files to read, or why there are none."""
    if args.cases:
        return list(args.cases)
    folder = args.external / SUITES[args.suite]
    if not folder.is_dir():
        return (
            f"The external test data is not here: {folder} does not exist. It lives next to "
            "the checkout, in ../shared/external (see docs/external-suites.md); give another "
            "place with --external DIR."
        )
    return suite_files(args.suite, args.external)


def _stop(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds: the throwaway cluster is stopped on the way


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _stop)
    args = parse_args(argv)
    files = case_files(args)
    if isinstance(files, str):
        print(files, file=sys.stderr)
        return 2
    cases = [c for c in load_cases(files) if not args.only or fnmatch.fnmatch(c.name, args.only)]
    started = time.monotonic()
    if args.suite == "psqldef":
        with cluster(args.url) as server:
            version = prepare_server(server, cases)
            outcomes = run_cases(
                cases, args, lambda c, _f: PostgresDatabases(server, c), version=version
            )
    else:
        version = ""
        outcomes = run_cases(cases, args, lambda _c, f: SqliteDatabases(f), version="")
    minutes = round((time.monotonic() - started) / 60, 1)
    meta = {
        "files": ", ".join(sorted({p.name for p in files})),
        "server version": version or "(SQLite)",
        "jobs": args.jobs,
        "minutes": minutes,
    }
    report.write(args.out, args.suite, outcomes, meta)
    fig = report.figures(outcomes)
    print(f"{args.suite}: {fig['counts']} {fig['percent']} in {minutes} min", file=sys.stderr)
    print(f"Results: {args.out / 'results.md'}", file=sys.stderr)
    return 0


def run_cases(
    cases: list[Case],
    args: argparse.Namespace,
    databases: Callable[[Case, Path], Databases],
    *,
    version: str,
) -> list[Outcome]:
    total = len(cases)
    done = [0]

    def one(case: Case) -> Outcome:
        reason = not_applicable(case, version)
        if reason is not None:
            out = Outcome(case.name, case.file, status="not applicable", detail=reason)
        else:
            with tempfile.TemporaryDirectory(prefix="trueup-external.") as tmp:
                folder = Path(tmp)
                try:
                    out = judge(case, databases(case, folder), folder, args.timeout)
                except Exception as exc:  # the runner's own failure: shown, the run goes on
                    out = Outcome(case.name, case.file, cause=f"runner: {type(exc).__name__}")
                    out.detail = str(exc)[:500]
        done[0] += 1
        print(
            f"[{done[0]}/{total}] {out.status:<14} {case.file}:{case.name} ({out.seconds}s)",
            file=sys.stderr,
            flush=True,
        )
        return out

    with ThreadPoolExecutor(max_workers=max(args.jobs, 1)) as pool:
        return list(pool.map(one, cases))


if __name__ == "__main__":
    sys.exit(main())
