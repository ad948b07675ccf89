"""How many CPUs this process may use, for work that is split across processes or threads."""

from __future__ import annotations

import os


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may run on
    except AttributeError:  # macOS and Windows have no sched_getaffinity
        return os.cpu_count() or 1
