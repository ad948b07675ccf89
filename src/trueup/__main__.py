"""The ``trueup`` command (the console script) and ``python -m trueup``.

Python's cycle collector is off from here on. A command's start-up makes hundreds of
thousands of objects that live as long as the process (modules, classes, functions) and no
garbage cycles, and the collector would pass over them again and again while they are made:
about 15 ms of a PostgreSQL diff. The commands that run long and make objects as they go
(export, import, copy, backup, restore, a push's backup) turn it back on when their work
starts, with what start-up made kept out of its passes (``cli.common.collect_cycles``).
"""

import gc
import os
import sys

gc.disable()


def _environment_as_given() -> None:
    """In the standalone build, the environment as the caller gave it, for the programs
    trueup runs (the app that ``trueup start`` becomes, pg_dump, ...). The build's loader
    put its own folder first in LD_LIBRARY_PATH (the app would load the build's copies of
    libssl, libz, ...), and left the markers of its own restart (``_PYI_*``). Both were
    read before Python started, and are of no use past this point."""
    original = os.environ.pop("LD_LIBRARY_PATH_ORIG", None)
    if original is not None:
        os.environ["LD_LIBRARY_PATH"] = original
    else:
        os.environ.pop("LD_LIBRARY_PATH", None)
    for name in [n for n in os.environ if n.startswith("_PYI_")]:
        del os.environ[name]


if getattr(sys, "frozen", False):
    _environment_as_given()

from trueup.cli import main  # noqa: E402  (after the collector is off)

if __name__ == "__main__":
    main()
