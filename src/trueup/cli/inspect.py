"""``trueup inspect``: print the live database's schema."""

from __future__ import annotations

import click

from trueup.cli import json_output, output
from trueup.cli.common import target, url_option


@click.command()
@url_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["sql", "json", "prisma"]),
    default="sql",
    show_default=True,
    help="sql: the statements that would create the schema; json: the schema model; "
    "prisma: a schema.prisma that pushes back to the same schema (like prisma db pull).",
)
def inspect(url: str | None, fmt: str) -> None:
    """Print the schema of the database, as trueup sees it."""
    if fmt == "json":
        json_output()
    from trueup.engines import get_dialect
    from trueup.model.json import to_data

    t = target(url=url)
    dialect = get_dialect(t.url.engine, ignore=t.settings.ignore())
    with dialect.connect(t.url, create=False) as session:
        session.begin(write=False, timeout=t.settings.lock_timeout)
        schema = session.inspect()
    if fmt == "json":
        click.echo(output.dump_json(to_data(schema)))
    elif fmt == "prisma":
        from trueup.sources.prisma.pull import render_prisma

        click.echo(render_prisma(schema, dialect.name), nl=False)
    else:
        for statement in dialect.render_schema(schema):
            click.echo(statement + ";\n")
