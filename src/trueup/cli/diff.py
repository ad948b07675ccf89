"""``trueup diff``: show what a push would change, and change nothing."""

from __future__ import annotations

import click

from trueup.cli import output
from trueup.cli.common import (
    ignore_table_option,
    load_target,
    lock_timeout_option,
    parse_renames,
    rename_option,
    schema_option,
    url_option,
)

EXIT_PENDING = 2


@click.command()
@schema_option
@url_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "sql", "json"]),
    default="text",
    show_default=True,
    help="text: a summary of the changes; sql: the script a push would run; json: both.",
)
@rename_option
@ignore_table_option
@lock_timeout_option
def diff(
    schema: str | None,
    url: str | None,
    fmt: str,
    renames: tuple[str, ...],
    ignore_tables: tuple[str, ...],
    lock_timeout: float | None,
) -> None:
    """Compare the database with the declared schema.

    \b
    Exit codes: 0 in sync, 2 changes pending, 1 error.
    """
    from trueup.dialects import get_dialect
    from trueup.push import plan_for

    t, declared = load_target(
        schema=schema, url=url, lock_timeout=lock_timeout, ignore_tables=ignore_tables
    )
    ignore = t.settings.ignore()
    plan = plan_for(
        t.url,
        declared,
        renames=declared.renames.merged(parse_renames(renames)),
        lock_timeout=t.settings.lock_timeout,
        ignore=ignore,
    )
    if fmt == "json":
        click.echo(output.dump_json(output.plan_data(plan)))
    elif fmt == "sql":
        if plan.is_empty:
            click.echo("-- The database is in sync with the schema: nothing to do.")
        else:
            click.echo(get_dialect(t.url.engine).script(plan), nl=False)
    else:
        if plan.is_empty:
            click.echo("The database is in sync with the schema.")
        for line in output.summary_lines(plan):
            click.echo(output.styled(line))
        if plan.findings:
            click.echo("")
            for finding in plan.findings:
                click.echo(output.finding_line(finding))
    if not plan.is_empty:
        raise SystemExit(EXIT_PENDING)
