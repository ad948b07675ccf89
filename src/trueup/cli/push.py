"""``trueup push``: make the database equal the declared schema."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from trueup.cli import JSON_ERROR_SHOWN, json_output
from trueup.cli.backup import BackupFlags, backup_options
from trueup.cli.common import (
    Target,
    created_line,
    describe_database,
    find_target,
    ignore_table_option,
    lock_timeout_option,
    parse_renames,
    rename_option,
    report_warnings,
    schema_option,
    url_option,
    warn_if_missing,
    warnings_data,
)
from trueup.errors import UnsafePlan

if TYPE_CHECKING:
    from trueup.plan import Phase, Plan
    from trueup.planfile import Reviewed
    from trueup.push import PushResult
    from trueup.push_options import PushOptions
    from trueup.sources.declared import Declared, Source
    from trueup.urls import DatabaseURL

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
@click.option(
    "--force-reset",
    is_flag=True,
    help="Empty the database (drop every table, view and trigger) and push the schema "
    "anew. For changes the data makes impossible. All data is lost.",
)
@click.option("--dry-run", is_flag=True, help="Print the plan and change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@rename_option
@ignore_table_option
@lock_timeout_option
@click.option("--no-backup", is_flag=True, help="Do not back the database up before changing it.")
@backup_options
@click.option(
    "--concurrent-indexes",
    is_flag=True,
    help="PostgreSQL: build new indexes on existing tables with CREATE INDEX CONCURRENTLY "
    "after the transaction, so writes to big tables are not blocked while they build.",
)
@click.option(
    "--plan",
    "plan_file",
    metavar="FILE",
    help="Apply exactly the reviewed plan in FILE (from `trueup diff --format json -o FILE`); "
    "refused when the database or the declared schema changed since it was made.",
)
def push(
    schema: str | None,
    url: str | None,
    accept_data_loss: bool,
    force_reset: bool,
    dry_run: bool,
    as_json: bool,
    renames: tuple[str, ...],
    ignore_tables: tuple[str, ...],
    lock_timeout: float | None,
    no_backup: bool,
    backup_flags: BackupFlags,
    concurrent_indexes: bool,
    plan_file: str | None,
    python_path: tuple[str, ...],
) -> None:
    """Make the database's schema equal the declared schema.

    The plan is printed, checked for data loss, then applied in one transaction and
    verified; if anything fails, the database is left as it was.

    On a terminal, data-loss warnings are answered with a y/N prompt; elsewhere the push is
    refused unless --accept-data-loss is given. Steps the data makes impossible (NULLs in a
    column becoming NOT NULL, duplicates under a new unique key, ...) are refused even then.

    \b
    Exit codes: 0 done (or already in sync), 1 error (nothing changed),
    2 changes pending (--dry-run), 3 refused (data loss not accepted, or steps that
    cannot be executed without --force-reset), 64 usage error (nothing run).
    """
    from trueup.cli.backup import backup_hook
    from trueup.push_options import PushOptions

    if as_json:
        json_output()
    header = _Header(as_json)
    t, source = _find_target(
        header,
        backup_flags,
        schema=schema,
        url=url,
        lock_timeout=lock_timeout,
        ignore_tables=ignore_tables,
        python_path=python_path,
    )
    ignore = t.settings.ignore()
    hints = parse_renames(renames)  # besides the schema's own rename hints
    reviewed = _read_reviewed(plan_file, source, t.url.engine) if plan_file else None
    if dry_run:
        warn_if_missing(t.url)

    def show(plan: Plan) -> None:
        if not header.loaded:  # found in sync by the last push's record: the schema was not read
            header.show(source_path=None, unread=source.path)
        if reviewed is not None:
            _check_data_steps(plan, reviewed)
        if not as_json:
            refusable = not (dry_run or force_reset)
            _show_plan(plan, refusable=refusable, accept_data_loss=accept_data_loss)

    options = PushOptions(
        accept_data_loss=accept_data_loss,
        force_reset=force_reset,
        renames=hints,
        lock_timeout=t.settings.lock_timeout,
        on_plan=show,
        ignore=ignore,
        expected_steps=reviewed.statements if reviewed else None,
        expected_fingerprint=reviewed.fingerprint if reviewed else None,
        concurrent_indexes=concurrent_indexes,
        # Under the push's lock, once the plan is accepted and before any write.
        before_apply=None if no_backup else backup_hook(t, "pre-push", err=as_json),
    )
    result = _push_or_ask(t.url, source, options, dry_run=dry_run, as_json=as_json)
    _show_result(result, t.url, source, as_json=as_json, dry_run=dry_run)
    if dry_run and not result.plan.is_empty:
        raise SystemExit(EXIT_PENDING)


def _find_target(
    header: _Header,
    backup_flags: BackupFlags,
    *,
    schema: str | None,
    url: str | None,
    lock_timeout: float | None,
    ignore_tables: tuple[str, ...],
    python_path: tuple[str, ...],
) -> tuple[Target, Source]:
    """The database, with the backup flags applied, and the declared schema; the header's
    lines as soon as both are known."""
    t, source = find_target(
        schema=schema,
        url=url,
        lock_timeout=lock_timeout,
        ignore_tables=ignore_tables,
        python_path=python_path,
        on_load=header.on_load,
    )
    t = Target(backup_flags.apply(t.settings), t.url)
    header.database = describe_database(t.url)
    if header.loaded:  # read already, to find the database: its line waited for the database's
        header.show(source_path=source.path)
    return t, source


def _read_reviewed(plan_file: str, source: Source, engine: str) -> Reviewed:
    """The reviewed plan in ``plan_file``, refused when the declared schema changed since
    it was made."""
    from trueup.planfile import check_source, read_plan

    reviewed = read_plan(plan_file)
    check_source(reviewed, source.load().source_hash, engine)
    return reviewed


def _check_data_steps(plan: Plan, reviewed: Reviewed) -> None:
    """Refuse a plan whose data steps are not the ones the reviewed plan agreed to."""
    pending = tuple(s.hash for s in (*plan.before_steps, *plan.after_steps))
    if pending != reviewed.data_steps:
        raise UnsafePlan(
            f"The data steps waiting to run are not the ones in {reviewed.path}.",
            hint="Nothing was changed. Make the plan again, review it, and push that.",
        )


def _show_plan(plan: Plan, *, refusable: bool, accept_data_loss: bool) -> None:
    """The plan as a person reads it: its changes, findings and statements (nothing when
    there is nothing to change and nothing to say)."""
    if plan.is_empty and not plan.findings:
        return
    from trueup.cli import output

    if plan.is_empty:
        # Nothing to change, but what trueup leaves alone is said, never passed over.
        click.echo("")
        click.echo("Findings:")
        for finding in plan.findings:
            click.echo(output.finding_line(finding))
        click.echo("")
        return
    click.echo("")
    click.echo("Changes:")
    for line in output.summary_lines(plan) + output.step_lines(plan):
        click.echo("  " + output.styled(line))
    shown = output.findings_to_list(plan, refusable=refusable, accept_data_loss=accept_data_loss)
    if shown:
        click.echo("")
        click.echo("Findings:")
        for finding in shown:
            click.echo(output.finding_line(finding))
    _show_steps(plan)


def _push_or_ask(
    url: DatabaseURL, source: Source, options: PushOptions, *, dry_run: bool, as_json: bool
) -> PushResult:
    """The push (or, for a dry run, its plan); a push refused for data loss is put to the
    person at the terminal, and pushed again as agreed when they accept it."""
    from trueup.push import plan_with, push_with

    # A dry run is the plan stage alone; a push goes on to the apply stage.
    run = plan_with if dry_run else push_with
    try:
        return run(url, source, options)
    except UnsafePlan as refused:
        if not _confirmed(refused, source, as_json=as_json):
            raise
        assert refused.plan is not None
        return run(url, source, _accepted(options, refused.plan.statements))


def _confirmed(refused: UnsafePlan, source: Source, *, as_json: bool) -> bool:
    """After a refused push: the JSON answer when asked for, then whether the person at
    the terminal accepts the data-loss warnings (False: not theirs to ask; a no ends the
    push with the refusal's exit code)."""
    from trueup.cli import output

    if as_json and refused.plan is not None:
        data = output.plan_data(
            refused.plan,
            applied=False,
            refused=True,
            backup=None,
            warnings=warnings_data(source.warnings),
            error=refused.to_data(),
        )
        click.echo(output.dump_json(data))
        click.get_current_context().meta[JSON_ERROR_SHOWN] = True
    if not _may_ask(refused, as_json):
        return False
    click.echo(click.style("Error: ", fg="red", bold=True) + refused.message, err=True)
    if not click.confirm("\nDo you want to ignore the warning(s)?", default=False):
        click.echo("Push cancelled. Nothing was changed.")
        raise SystemExit(refused.exit_code) from None
    return True


def _accepted(options: PushOptions, agreed: tuple[tuple[Phase, str], ...]) -> PushOptions:
    """The push again once its data loss is accepted: exactly the plan that was agreed
    to, which has been shown already."""
    from dataclasses import replace

    return replace(options, accept_data_loss=True, expected_steps=agreed, on_plan=lambda plan: None)


def _show_result(
    result: PushResult, url: DatabaseURL, source: Source, *, as_json: bool, dry_run: bool
) -> None:
    """What the push did, last."""
    plan = result.plan
    # Prisma's own sentences, so scripts and searches written for `prisma db push` still fit.
    what = "Prisma schema" if source.path.endswith(".prisma") else "schema"
    if result.created and not as_json:
        click.echo(created_line(url))
    if as_json:
        from trueup.cli import output

        click.echo(
            output.dump_json(
                output.plan_data(
                    plan,
                    applied=result.applied,
                    refused=False,
                    backup=result.backup,
                    created=result.created,
                    elapsed_ms=round(result.elapsed * 1000),
                    warnings=warnings_data(source.warnings),
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


class _Header:
    """The first lines of a push: the schema, once it has been read (so a schema with an
    error is never said to be loaded), and the database."""

    def __init__(self, as_json: bool) -> None:
        self.quiet = as_json
        self.database: str | None = None  # known once the target is
        self.loaded = False  # whether the declared schema has been read
        self.shown = False

    def on_load(self, declared: Declared) -> None:
        report_warnings(declared)
        self.loaded = True
        self.show(source_path=declared.path or None)

    def show(self, *, source_path: str | None, unread: str | None = None) -> None:
        if self.quiet or self.shown or self.database is None:
            return
        self.shown = True
        if unread is not None:
            click.echo(f"Schema {unread}: unchanged since the last push")
        else:
            click.echo(f"Schema loaded from {source_path}")
        click.echo(f"Datasource: {self.database}")


def _may_ask(refused: UnsafePlan, as_json: bool) -> bool:
    """Whether to put a refused push to the person at the terminal: only data-loss warnings
    (never steps that cannot run), only when someone can answer, never for JSON."""
    from trueup.plan import Risk

    if as_json or refused.plan is None or not refused.plan.findings:
        return False
    if any(f.risk is Risk.UNEXECUTABLE for f in refused.plan.findings):
        return False
    if not refused.plan.blocking(accept_data_loss=False):
        return False  # refused for another reason (the plan changed while confirming)
    return sys.stdin.isatty() and sys.stdout.isatty()


def _show_steps(plan: Plan) -> None:
    """The plan's statements, phase by phase (the transaction's even when it has none)."""
    from trueup.plan import Phase

    headings = {
        Phase.BEFORE_TRANSACTION: "First, before the transaction ({n}):",
        Phase.IN_TRANSACTION: "Plan ({n}, one transaction):",
        # CREATE INDEX CONCURRENTLY cannot run inside a transaction block.
        Phase.AFTER_COMMIT: "Then, after the transaction commits ({n}):",
    }
    for phase in Phase:
        steps = plan.in_phase(phase)
        if not steps and phase is not Phase.IN_TRANSACTION:
            continue
        click.echo("")
        click.echo(headings[phase].format(n=_statements(len(steps))))
        for step in steps:
            if step.comment:
                click.echo(click.style(f"  -- {step.comment}", dim=True))
            for line in (step.sql + ";").splitlines():
                click.echo("  " + line)
    click.echo("")


def _statements(n: int) -> str:
    return f"{n} statement" if n == 1 else f"{n} statements"
