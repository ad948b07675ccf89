"""``trueup push``: make the database equal the declared schema."""

from __future__ import annotations

import click

from trueup.cli import output
from trueup.cli.common import (
    describe_database,
    load_target,
    lock_timeout_option,
    schema_option,
    url_option,
)
from trueup.errors import UnsafePlan
from trueup.plan import Plan

EXIT_PENDING = 2


@click.command()
@schema_option
@url_option
@click.option(
    "--accept-data-loss",
    is_flag=True,
    envvar="TRUEUP_ACCEPT_DATA_LOSS",
    help="Apply changes even when they lose data (dropped tables or columns, narrowing "
    "type changes). Also $TRUEUP_ACCEPT_DATA_LOSS=1.",
)
@click.option("--dry-run", is_flag=True, help="Print the plan and change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@lock_timeout_option
def push(
    schema: str | None,
    url: str | None,
    accept_data_loss: bool,
    dry_run: bool,
    as_json: bool,
    lock_timeout: float | None,
) -> None:
    """Make the database's schema equal the declared schema.

    The plan is printed, checked for data loss, then applied in one transaction and
    verified; if anything fails, the database is left as it was.

    \b
    Exit codes: 0 done (or already in sync), 1 error (nothing changed),
    2 changes pending (--dry-run), 3 refused (data loss not accepted).
    """
    from trueup.push import push as run_push

    t, declared = load_target(schema=schema, url=url, lock_timeout=lock_timeout)
    ignore = t.settings.ignore()
    if not as_json:
        click.echo(f"Schema loaded from {declared.path}")
        click.echo(f"Datasource: {describe_database(t.url)}")

    def show(plan: Plan) -> None:
        if as_json or plan.is_empty:
            return
        click.echo("")
        click.echo("Changes:")
        for line in output.summary_lines(plan):
            click.echo("  " + output.styled(line))
        if plan.findings:
            click.echo("")
            click.echo("Findings:")
            for finding in plan.findings:
                click.echo(output.finding_line(finding))
        click.echo("")
        click.echo(f"Plan ({len(plan.steps)} statements, one transaction):")
        for step in plan.steps:
            if step.comment:
                click.echo(click.style(f"  -- {step.comment}", dim=True))
            for line in (step.sql + ";").splitlines():
                click.echo("  " + line)
        click.echo("")

    try:
        result = run_push(
            t.url,
            declared.schema,
            accept_data_loss=accept_data_loss,
            dry_run=dry_run,
            renames=declared.renames,
            lock_timeout=t.settings.lock_timeout,
            on_plan=show,
            ignore=ignore,
        )
    except UnsafePlan:
        if as_json:
            from trueup.push import plan_for

            plan = plan_for(t.url, declared.schema, renames=declared.renames, ignore=ignore)
            click.echo(output.dump_json(output.plan_data(plan, applied=False, refused=True)))
        raise

    plan = result.plan
    # Prisma's own sentences, so scripts and searches written for `prisma db push` still fit.
    what = "Prisma schema" if declared.path.endswith(".prisma") else "schema"
    if as_json:
        click.echo(
            output.dump_json(
                output.plan_data(
                    plan,
                    applied=result.applied,
                    refused=False,
                    elapsed_ms=round(result.elapsed * 1000),
                )
            )
        )
    elif plan.is_empty:
        click.echo(f"The database is already in sync with the {what}.")
    elif dry_run:
        click.echo("Dry run: nothing was changed. Run without --dry-run to apply.")
    else:
        ms = round(result.elapsed * 1000)
        click.echo(f"🚀  Your database is now in sync with your {what}. Done in {ms}ms")
    if dry_run and not plan.is_empty:
        raise SystemExit(EXIT_PENDING)
