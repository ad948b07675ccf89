"""Run every benchmark and print the results as the table in docs/benchmarks.md.

python -m bench.run            # everything
python -m bench.run rebuild    # only the named ones

The PostgreSQL benchmarks use the server DATABASE_URL names, else start a throwaway one
with scripts/postgres (which installs Debian's server when it is missing). Notes that a
benchmark adds (breakdowns, scaling tables) are printed after the table.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from bench import (
    backup,
    backup_postgres,
    export,
    inspect_postgres,
    noop_push,
    noop_push_postgres,
    noop_push_standalone,
    rebuild,
)
from bench.common import Comparison, machine

BENCHMARKS: dict[str, Callable[[], list[Comparison]]] = {
    "noop_push": noop_push.compare,
    "noop_push_postgres": noop_push_postgres.compare,
    "noop_push_standalone": noop_push_standalone.compare,
    "rebuild": rebuild.compare,
    "export": export.compare,
    "backup": backup.compare,
    "backup_postgres": backup_postgres.compare,
    "inspect_postgres": inspect_postgres.compare,
}


def main(names: list[str]) -> None:
    chosen = names or list(BENCHMARKS)
    unknown = [n for n in chosen if n not in BENCHMARKS]
    if unknown:
        raise SystemExit(
            f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}"
        )
    print(f"Machine: {machine()}\n")
    print("| benchmark | trueup (median) | baseline (median) | ratio | target | trueup peak RSS |")
    print("|---|---|---|---|---|---|")
    notes: list[str] = []
    failed: list[str] = []
    for name in chosen:
        try:
            comparisons = BENCHMARKS[name]()
        except Exception as exc:  # one failing benchmark does not lose the others' figures
            print(f"| {name} | failed: {type(exc).__name__}: {exc} |||||", flush=True)
            failed.append(name)
            continue
        for comparison in comparisons:
            print(comparison.row(), flush=True)
            if comparison.note:
                notes.append(comparison.note)
    for note in notes:
        print(f"\n{note}")
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main(sys.argv[1:])
