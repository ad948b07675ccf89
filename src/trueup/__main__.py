"""The ``trueup`` command (the console script) and ``python -m trueup``.

Python's cycle collector is off from here on. A command's start-up makes hundreds of
thousands of objects that live as long as the process (modules, classes, functions) and no
garbage cycles, and the collector would pass over them again and again while they are made:
about 15 ms of a PostgreSQL diff. The commands that run long and make objects as they go
(export, import, copy, backup, restore, a push's backup) turn it back on when their work
starts, with what start-up made kept out of its passes (``cli.common.collect_cycles``).
"""

import gc

gc.disable()

from trueup.cli import main  # noqa: E402  (after the collector is off)

if __name__ == "__main__":
    main()
