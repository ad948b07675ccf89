"""``trueup copy --from URL --to URL``: schema and rows into a new database, of the same
engine or the other, checked table by table."""

from __future__ import annotations

import os

import click

from trueup.cli.common import (
    collect_cycles,
    describe_database,
    lock_timeout_option,
    report_warnings,
)
from trueup.cli.progress import progress_bar


@click.command("copy")
@click.option("--from", "source", required=True, metavar="URL", help="The database to copy.")
@click.option(
    "--to",
    "target",
    required=True,
    metavar="URL",
    help="The database to copy into. It must be empty (a missing one is created).",
)
@click.option(
    "--schema",
    metavar="PATH",
    help="The schema for the target database (the app's schema.prisma with the target's "
    "provider, or a SQL file for the target's engine). Default: the source's schema, "
    "converted for the target's engine.",
)
@lock_timeout_option
def copy(source: str, target: str, schema: str | None, lock_timeout: float | None) -> None:
    """Copy the schema and every row of one database into a new, empty one: SQLite to
    PostgreSQL when the app outgrows one file, PostgreSQL to SQLite, or the same engine.

    The source is locked against writes during the copy (stop the app first). The rows go
    in parents first, in one transaction, and every table is checked afterwards by its row
    count and a checksum of its rows. If the copy fails, the target is left empty. What
    the target's engine cannot hold (a view or CHECK in the other engine's SQL, a trigger,
    a default) is listed, never dropped silently.
    """
    collect_cycles()
    from trueup.config import load_settings
    from trueup.copy import copy_database
    from trueup.urls import parse_url

    settings = load_settings(lock_timeout=lock_timeout)
    here = os.getcwd()
    source_url, target_url = parse_url(source, base_dir=here), parse_url(target, base_dir=here)
    declared = None
    if schema is not None:
        from trueup.sources.declared import Source

        # Read for the target's engine, once the copy has made sure the target is empty.
        declared = Source(
            schema,
            target_url.engine,
            ignore=settings.ignore(),
            url=target_url,
            on_load=report_warnings,
        )
    result = copy_database(
        source_url,
        target_url,
        declared=declared,
        timeout=settings.lock_timeout,
        ignore=settings.ignore(),
        progress=progress_bar,
    )
    how = {
        "declared": f"pushed from {schema}",
        "converted": f"converted from {source_url.engine}",
        "source": "created as the source's",
    }[result.schema]
    n = len(result.tables)
    click.echo(
        f"Copied {n} table{'s' if n != 1 else ''}, {result.rows:,} rows, from "
        f"{describe_database(source_url)} to {describe_database(target_url)} (schema {how})."
    )
    click.echo("Checked: every table's row count and checksum match the source.")
    if result.notes:
        click.echo("Not copied, or changed on the way:")
        for note in result.notes:
            click.echo(f"  - {note}")
