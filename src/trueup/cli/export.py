"""``trueup export``: every table's rows plus the schema, as a portable JSON lines file."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from typing import IO, TYPE_CHECKING

import click

from trueup.cli.backup import database
from trueup.cli.common import collect_cycles, url_option
from trueup.cli.progress import progress_bar

if TYPE_CHECKING:
    from trueup.transfer import ExportResult


@click.command("export")
@url_option
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Write the export to FILE (default: standard output).",
)
def export(url: str | None, output: str | None) -> None:
    """Export the schema and every table's rows to a JSON lines file.

    The file is streamed: memory stays flat however many rows there are. Every value keeps
    its exact type. The format is versioned and documented in docs/export-format.md; load
    it with `trueup import FILE`. A file given with -o is written under a temporary name
    and renamed once complete, readable by its owner only.
    """
    collect_cycles()
    from trueup.transfer import TransferError, export_database

    t = database(url)
    to_stdout = output in (None, "-")
    # On a terminal the bar would be drawn over the rows themselves.
    with progress_bar("Exporting", enabled=not (to_stdout and sys.stdout.isatty())) as bar:

        def export_to(out: IO[bytes], scratch: str | None) -> ExportResult:
            settings = t.settings
            return export_database(
                t.url,
                out,
                timeout=settings.lock_timeout,
                ignore=settings.ignore(),
                progress=bar,
                scratch=scratch,
            )

        if to_stdout:
            result = export_to(sys.stdout.buffer, None)
        else:
            assert output is not None
            target = os.path.abspath(output)
            folder = os.path.dirname(target)
            # A name of its own, made here: a signal that lands as the file is made must still
            # find it to remove (mkstemp would not say its name until it returned).
            temp = os.path.join(folder, f".{os.path.basename(target)}.{os.urandom(4).hex()}.tmp")
            try:
                result = _write_export(temp, target, folder, export_to)
            except OSError as exc:  # the disk is full, or the file cannot be written
                raise TransferError(
                    f"Cannot write the export {output}: {exc.strerror}.",
                    hint="Nothing was written. Free space on the disk, or choose another -o.",
                ) from exc
    where = "standard output" if to_stdout else output
    n = len(result.tables)
    click.echo(
        f"Exported {n} table{'s' if n != 1 else ''}, {result.rows:,} rows, to {where}.",
        err=to_stdout,
    )
    if result.not_exported:
        click.echo(
            "Virtual tables are exported as definitions only, without rows: "
            + ", ".join(result.not_exported)
            + ". Rebuild their content after an import.",
            err=True,
        )


def _write_export(
    temp: str, target: str, folder: str, export_to: Callable[[IO[bytes], str], ExportResult]
) -> ExportResult:
    """The export written to ``temp`` and then renamed to ``target``; ``temp`` removed when
    anything stops it (an error, Ctrl-C, SIGTERM), so no half-written file is left."""
    from trueup.transfer import TransferError

    refused: OSError | None = None
    try:
        try:
            # 0600: an export holds all the data.
            fd = os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except OSError as exc:
            refused = exc  # not made: nothing of ours to remove
        else:
            with os.fdopen(fd, "wb", buffering=1 << 20) as out:
                # Parts of large tables read beside this process wait in the export's own
                # folder, where their bytes go anyway.
                result = export_to(out, folder)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(temp)
        raise
    if refused is not None:
        raise TransferError(
            f"Cannot write the export in {folder}: {refused.strerror}.",
            hint="Check that the folder exists and is writable, or choose another -o.",
        ) from refused
    return result
