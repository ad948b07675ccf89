"""``trueup diff``: show what a push would change, and change nothing."""

from __future__ import annotations

from collections.abc import Callable

import click

from trueup.cli import json_output, output
from trueup.cli.common import (
    ignore_table_option,
    load_target,
    lock_timeout_option,
    parse_renames,
    rename_option,
    report_warnings,
    schema_option,
    target,
    url_option,
    warn_if_missing,
    warnings_data,
)
from trueup.diff.renames import Renames
from trueup.plan import Plan

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
@click.option(
    "--against-url",
    metavar="URL",
    help="Compare with another live database instead of the declared schema (drift between "
    "staging and production): what it would take to make --url equal to it.",
)
@click.option(
    "-o",
    "--output",
    "output_file",
    metavar="FILE",
    type=click.Path(dir_okay=False, writable=True),
    help="Write to FILE instead of the terminal. With --format json the file is a "
    "reviewed plan for `trueup push --plan FILE`.",
)
@click.option(
    "--concurrent-indexes",
    is_flag=True,
    help="PostgreSQL: plan new indexes on existing tables as `push --concurrent-indexes` "
    "does, built with CREATE INDEX CONCURRENTLY after the transaction commits.",
)
@rename_option
@ignore_table_option
@lock_timeout_option
def diff(
    schema: str | None,
    url: str | None,
    fmt: str,
    against_url: str | None,
    output_file: str | None,
    concurrent_indexes: bool,
    renames: tuple[str, ...],
    ignore_tables: tuple[str, ...],
    lock_timeout: float | None,
    python_path: tuple[str, ...],
) -> None:
    """Compare the database with the declared schema (or with another database).

    \b
    Exit codes: 0 in sync, 2 changes pending, 1 error, 64 usage error.
    """
    if fmt == "json":
        json_output()
    if against_url:
        if schema:
            raise click.UsageError(
                "--schema and --against-url cannot be used together: --against-url compares "
                "with another database instead of a declared schema."
            )
        if concurrent_indexes:
            raise click.UsageError(
                "--concurrent-indexes plans how a push of a declared schema builds its indexes; "
                "it does not apply to --against-url."
            )
        plan = _against(url, against_url, lock_timeout, ignore_tables, parse_renames(renames))
        engine = plan.dialect
        document = output.plan_data(plan, warnings=[])
        in_sync = "The two databases have the same schema."
    else:
        from trueup.planfile import plan_document
        from trueup.push import push

        t, declared = load_target(
            schema=schema,
            url=url,
            lock_timeout=lock_timeout,
            ignore_tables=ignore_tables,
            python_path=python_path,
        )
        report_warnings(declared)
        warn_if_missing(t.url)
        result = push(
            t.url,
            declared,
            dry_run=True,
            renames=declared.renames.merged(parse_renames(renames)),
            lock_timeout=t.settings.lock_timeout,
            ignore=t.settings.ignore(),
            with_fingerprint=True,
            concurrent_indexes=concurrent_indexes,
        )
        plan = result.plan
        engine = t.url.engine
        in_sync = "The database is in sync with the schema."
        assert result.fingerprint is not None
        document = plan_document(
            output.plan_data(plan, warnings=warnings_data(declared.warnings)),
            fingerprint=result.fingerprint,
            schema_hash=declared.source_hash,
        )
    if output_file:
        with open(output_file, "w", encoding="utf-8") as sink:

            def to_file(text: str = "", nl: bool = True) -> None:
                click.echo(text, file=sink, nl=nl)

            _print(plan, fmt, document, engine, to_file, in_sync)
        click.echo(f"Plan written to {output_file}.", err=True)
    else:
        _print(plan, fmt, document, engine, click.echo, in_sync)
    if not plan.is_empty:
        raise SystemExit(EXIT_PENDING)


def _against(
    url: str | None,
    against: str,
    lock_timeout: float | None,
    ignore_tables: tuple[str, ...],
    renames: Renames,
) -> Plan:
    """The plan that would make the database at ``url`` equal to the one at ``against``."""
    from trueup.engines import find_engine, get_dialect
    from trueup.errors import ConfigError
    from trueup.sources.declared import Declared
    from trueup.urls import parse_url

    t = target(url=url, lock_timeout=lock_timeout, ignore_tables=ignore_tables)
    other = parse_url(against)
    if other.engine != t.url.engine:
        # Each engine spells its schema its own way (types, keys, defaults): compared as
        # they are, every table would differ, and the plan could not run.
        raise ConfigError(
            f"--against-url compares two databases of one engine; {t.url.redacted()} is "
            f"{find_engine(t.url.engine).label} and {other.redacted()} is "
            f"{find_engine(other.engine).label}.",
            hint="Compare each with the declared schema (trueup diff --url URL), or copy one "
            "into the other's engine first (trueup copy) and compare the copy.",
        )
    ignore = t.settings.ignore()

    def wanted() -> Declared:
        # Read while the database at url is inspected, when that one waits on a server.
        with get_dialect(other.engine, ignore=ignore).connect(other, create=False) as session:
            session.begin(write=False, timeout=t.settings.lock_timeout)
            return Declared(session.inspect(), path="")

    from trueup.push import plan_for

    return plan_for(
        t.url, wanted, renames=renames, lock_timeout=t.settings.lock_timeout, ignore=ignore
    )


def _print(
    plan: Plan,
    fmt: str,
    document: dict[str, object],
    engine: str,
    echo: Callable[..., None],
    in_sync: str,
) -> None:
    from trueup.engines import get_dialect

    if fmt == "json":
        echo(output.dump_json(document))
    elif fmt == "sql":
        if plan.is_empty:
            echo(f"-- {in_sync} Nothing to do.")
        else:
            echo(get_dialect(engine).script(plan), nl=False)
    else:
        if plan.is_empty:
            echo(in_sync)
        for line in output.summary_lines(plan) + output.step_lines(plan):
            echo(output.styled(line))
        if plan.findings:
            echo("")
            for finding in plan.findings:
                echo(output.finding_line(finding))
