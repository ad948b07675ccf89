"""``trueup start [push options] -- COMMAND [ARGS]...``: the container entrypoint.

Takes the push lock, backs the database up, pushes the schema, and then replaces itself
with COMMAND (``exec``): the app gets trueup's process id, so signals sent to the container
(SIGTERM on ``docker stop``) reach the app itself.

The backup is taken under the push's lock, before anything is written, so it is the
database exactly as the push found it. A start that finds the database in sync (or whose
push is refused) backs it up for the record, reason ``startup``, from the push's
``on_plan`` hook. A start that changes the database backs it up from ``before_apply``,
reason ``pre-push``: the copy that holds what the change drops is then counted apart from
the startup backups, so an app that crashes and restarts in a loop cannot rotate it out.
Two starts at once on one database queue on that lock: one backs up and pushes, the other
then backs up and finds the database in sync.

``--backup on-change`` (the default) takes a copy only when the database changed since the
newest good backup; otherwise the start notes on that backup that it still holds the
database (a pre-push backup is then a hard link to it), and copies nothing.

Nothing heavy is imported on the way to exec (no rich, no export code): a start on an
in-sync database costs about as much as ``trueup push``.
"""

from __future__ import annotations

import os
import shlex
import signal
import sys

import click

from trueup.cli.backup import BackupFlags, backup_hook, backup_options
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
)
from trueup.config import START_BACKUP
from trueup.errors import TrueupError, UnsafePlan
from trueup.plan import Plan


class CommandNotFound(TrueupError):
    exit_code = 127  # what a shell answers for a command it cannot find


class CommandNotRunnable(TrueupError):
    exit_code = 126  # what a shell answers for a file it cannot execute


def _say(message: str) -> None:
    # trueup's own lines go to stderr: the app's stdout stays the app's.
    click.echo(message, err=True)


@click.command("start", context_settings={"allow_interspersed_args": False})
@schema_option
@url_option
@click.option(
    "--accept-data-loss",
    is_flag=True,
    envvar="TRUEUP_ACCEPT_DATA_LOSS",
    help="Apply changes even when they lose data. Also $TRUEUP_ACCEPT_DATA_LOSS=1.",
)
@click.option(
    "--force-reset",
    is_flag=True,
    help="Empty the database and push the schema anew when the data makes a change "
    "impossible. All data is lost (the pre-push backup keeps it).",
)
@rename_option
@ignore_table_option
@lock_timeout_option
@click.option(
    "--backup",
    "backup_mode",
    type=click.Choice(START_BACKUP),
    help="When to back up: always; on-change (only when the database changed since the "
    "newest good backup: otherwise that backup is noted as still holding it, and nothing is "
    "copied); never. Default: $TRUEUP_START_BACKUP, start_backup in the settings, then "
    "on-change. PostgreSQL backs up every time (see docs/backup-recovery.md).",
)
@click.option("--no-backup", is_flag=True, help="Do not back up: the same as --backup never.")
@backup_options
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
def start(
    schema: str | None,
    url: str | None,
    accept_data_loss: bool,
    force_reset: bool,
    renames: tuple[str, ...],
    ignore_tables: tuple[str, ...],
    lock_timeout: float | None,
    backup_mode: str | None,
    no_backup: bool,
    backup_flags: BackupFlags,
    command: tuple[str, ...],
    python_path: tuple[str, ...],
) -> None:
    """Back up, push the schema, then run COMMAND in trueup's place.

    \b
    For a container's entrypoint:
      trueup start --schema schema.sql -- python -m myapp

    The push takes the same options as `trueup push` and never asks questions: data loss
    needs --accept-data-loss (or TRUEUP_ACCEPT_DATA_LOSS=1). When the push fails or is
    refused, COMMAND is not run and trueup exits with the push's code (1 error, 3
    refused). Otherwise COMMAND replaces trueup (exec), and its exit code is the
    container's.
    """
    try:
        _backup_and_push(
            schema=schema,
            url=url,
            accept_data_loss=accept_data_loss,
            force_reset=force_reset,
            renames=renames,
            ignore_tables=ignore_tables,
            lock_timeout=lock_timeout,
            backup_mode="never" if no_backup else backup_mode,
            backup_flags=backup_flags,
            python_path=python_path,
        )
    except TrueupError as exc:
        if isinstance(exc, UnsafePlan) and exc.plan is not None:
            exc.hint = _refused_hint(exc.plan, accept_data_loss) or exc.hint
        not_started = f"The command was not started: {shlex.join(command)}"
        exc.hint = f"{exc.hint}\n{not_started}" if exc.hint else not_started
        raise
    _exec(command)


def _refused_hint(plan: Plan, accept_data_loss: bool) -> str | None:
    """What to do about a refused push, with the knobs a container has: its environment
    (TRUEUP_ACCEPT_DATA_LOSS=1) besides the flags of its entrypoint."""
    from trueup.plan import Risk

    stopping = plan.blocking(accept_data_loss=accept_data_loss)
    if any(f.risk is Risk.UNEXECUTABLE for f in stopping):
        return (
            "Nothing was changed. Fix the data first (a data step can, see "
            "docs/change-control.md), or, to drop every table and push the schema anew, "
            "add --force-reset to `trueup start` once. All data will be lost."
        )
    if stopping:
        return (
            "Nothing was changed. To accept the data loss, set TRUEUP_ACCEPT_DATA_LOSS=1 in "
            "the container's environment (or add --accept-data-loss to `trueup start`), "
            "and start it again."
        )
    return None


def _backup_and_push(
    *,
    schema: str | None,
    url: str | None,
    accept_data_loss: bool,
    force_reset: bool,
    renames: tuple[str, ...],
    ignore_tables: tuple[str, ...],
    lock_timeout: float | None,
    backup_mode: str | None,
    backup_flags: BackupFlags,
    python_path: tuple[str, ...] = (),
) -> None:
    from trueup.push import push as run_push
    from trueup.push import refusal

    t, source = find_target(
        schema=schema,
        url=url,
        lock_timeout=lock_timeout,
        ignore_tables=ignore_tables,
        python_path=python_path,
        on_load=report_warnings,
    )
    t = Target(backup_flags.apply(t.settings), t.url)
    hints = parse_renames(renames)  # besides the schema's own rename hints
    _say(f"trueup start: schema {source.path}, {describe_database(t.url)}")
    mode = backup_mode or t.settings.start_backup
    on_change = mode == "on-change"
    never = mode == "never"
    for_the_record = None if never else backup_hook(t, "startup", err=True, on_change=on_change)
    before_change = None if never else backup_hook(t, "pre-push", err=True, on_change=on_change)
    taken: list[str | None] = []

    def on_plan(plan: Plan) -> None:
        # Runs under the push's lock on every push, in sync or not, before any write.
        refused = not force_reset and refusal(plan, accept_data_loss=accept_data_loss)
        if (plan.is_empty or refused) and for_the_record is not None and not taken:
            taken.append(for_the_record(plan))
        if plan.is_empty:
            return
        from trueup.cli import output  # only for a change: a start in sync never shows one

        _say("Changes:")
        for line in output.summary_lines(plan):
            _say("  " + output.styled(line))
        listed = output.findings_to_list(
            plan, refusable=not force_reset, accept_data_loss=accept_data_loss
        )
        for finding in listed:
            _say(output.finding_line(finding))

    def before_apply(plan: Plan) -> str | None:
        if before_change is not None and not taken:
            taken.append(before_change(plan))
        return taken[0] if taken else None

    result = run_push(
        t.url,
        source,
        accept_data_loss=accept_data_loss,
        force_reset=force_reset,
        renames=hints,
        lock_timeout=t.settings.lock_timeout,
        on_plan=on_plan,
        # Under the push's lock, once the push goes ahead and before its first write (and
        # before the data steps, which write too). Its path goes into the push's history.
        before_apply=before_apply,
        ignore=t.settings.ignore(),
    )
    if result.created:
        _say(created_line(t.url))
    if result.plan.is_empty:
        _say("The database is already in sync with the schema.")
    else:
        n = len(result.plan.steps)
        _say(
            f"Your database is now in sync with your schema ({n} statement{'s' if n != 1 else ''})."
        )


def _exec(command: tuple[str, ...]) -> None:
    _say(f"Starting: {shlex.join(command)}")
    sys.stdout.flush()
    sys.stderr.flush()
    # Python ignores SIGPIPE and SIGXFSZ for itself; an ignored signal stays ignored across
    # exec, so the app would inherit that. Give it the defaults any process starts with.
    for sig in (signal.SIGPIPE, signal.SIGXFSZ):
        signal.signal(sig, signal.SIG_DFL)
    try:
        os.execvp(command[0], command)
    except FileNotFoundError:
        raise CommandNotFound(
            f"The command {command[0]!r} was not found.",
            hint="The schema was pushed. Check the command after `--` and the PATH.",
        ) from None
    except OSError as exc:
        raise CommandNotRunnable(
            f"Cannot run {command[0]!r}: {exc.strerror}.",
            hint="The schema was pushed. Check that the command is an executable file.",
        ) from None
