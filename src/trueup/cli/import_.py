"""``trueup import FILE``: load an export into an empty database (or empty tables of the
same schema)."""

from __future__ import annotations

import sys

import click

from trueup.cli.backup import database
from trueup.cli.common import collect_cycles, url_option
from trueup.cli.progress import progress_bar


@click.command("import")
@click.argument("file", metavar="FILE", type=click.Path(dir_okay=False, allow_dash=True))
@url_option
def import_(file: str, url: str | None) -> None:
    """Load FILE, written by `trueup export`, into the database.

    The database must be empty (the file's schema is created), or have the file's schema
    with no rows in its tables. Tables are loaded parents first, in one transaction that
    also checks every table's row count: if anything does not come out right, nothing is
    changed. A file in a newer format version than this trueup reads is refused. FILE may
    be - for standard input.
    """
    collect_cycles()
    from trueup.transfer import TransferError, import_database

    t = database(url)
    with progress_bar("Importing") as bar:
        if file == "-":
            result = import_database(
                t.url,
                sys.stdin.buffer,
                "<stdin>",
                timeout=t.settings.lock_timeout,
                ignore=t.settings.ignore(),
                progress=bar,
            )
        else:
            try:
                source = open(file, "rb")  # noqa: SIM115 - closed below, after the import
            except OSError as exc:
                raise TransferError(f"Cannot read {file}: {exc.strerror}.") from exc
            with source:
                result = import_database(
                    t.url,
                    source,
                    file,
                    timeout=t.settings.lock_timeout,
                    ignore=t.settings.ignore(),
                    progress=bar,
                )
    how = "created the schema from the file" if result.created else "into the existing schema"
    n = len(result.tables)
    click.echo(
        f"Imported {n} table{'s' if n != 1 else ''}, {result.rows:,} rows, into {t.url} ({how})."
    )
    for child, parent, rows in result.orphans:
        click.echo(
            f"Warning: {rows} row(s) of {child} have no matching row in {parent}, as in the "
            "exported database."
        )
