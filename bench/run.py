"""Run every benchmark and print the results as the table in docs/benchmarks.md.

python -m bench.run            # everything
python -m bench.run rebuild    # only the named ones
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from bench import noop_push, rebuild
from bench.common import Comparison, machine

BENCHMARKS: dict[str, Callable[[], list[Comparison]]] = {
    "noop_push": noop_push.compare,
    "rebuild": rebuild.compare,
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
    for name in chosen:
        for comparison in BENCHMARKS[name]():
            print(comparison.row(), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
