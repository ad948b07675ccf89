"""``trueup history``: the changes trueup made to the database, newest last."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from trueup.cli import json_output, output
from trueup.cli.common import target, url_option

if TYPE_CHECKING:
    from trueup.history import Entry


def _entries(url: str | None) -> list[Entry]:
    from trueup import history
    from trueup.engines import get_dialect

    t = target(url=url)
    dialect = get_dialect(t.url.engine)
    with dialect.connect(t.url, create=False) as session:
        session.begin(write=False, timeout=t.settings.lock_timeout)
        return list(history.entries(session, dialect))


@click.group("history", invoke_without_command=True)
@url_option
@click.option("--json", "as_json", is_flag=True, help="Print the entries as JSON.")
@click.pass_context
def history_command(ctx: click.Context, url: str | None, as_json: bool) -> None:
    """View what trueup changed in the database: one line per push, reset or rollback;
    `trueup history show N` views entry N in full.

    The history is kept in the database itself (the _trueup_history view), written in the
    same transaction as the change, so a push that rolled back left no entry. A rollback
    keeps the entries of the pushes it undoes and adds its own.
    """
    ctx.ensure_object(dict)
    ctx.obj["url"] = url
    ctx.obj["json"] = as_json
    if as_json:
        json_output()
    if ctx.invoked_subcommand is not None:
        return
    found = _entries(url)
    if as_json:
        click.echo(output.dump_json([{"id": e.id, **_summary(e)} for e in found]))
        return
    if not found:
        click.echo("No changes recorded: trueup has not changed this database yet.")
        return
    click.echo(f"{'#':>4}  {'applied (UTC)':<20}  {'kind':<8}  {'statements':>10}  backup")
    for e in found:
        backup = "yes" if e.backup else "-"
        line = f"{e.id:>4}  {e.applied_at:<20}  {e.kind:<8}  {len(e.statements):>10}  {backup:<6}"
        click.echo((line + _note(e)).rstrip())


def _note(e: Entry) -> str:
    """What the list says of an entry besides its columns: the entry a rollback undid."""
    to = e.flags.get("to") if e.kind == "rollback" else None
    return f"  to before #{to}" if to is not None else ""


@history_command.command("show")
@click.argument("number", type=int)
@url_option
@click.option("--json", "as_json", is_flag=True, help="Print the entry as JSON.")
@click.pass_context
def show(ctx: click.Context, number: int, url: str | None, as_json: bool) -> None:
    """View history entry NUMBER in full: its statements, findings, flags and backup."""
    from trueup.errors import ConfigError

    as_json = as_json or bool(ctx.obj.get("json"))
    if as_json:
        json_output()
    found = [e for e in _entries(url or ctx.obj.get("url")) if e.id == number]
    if not found:
        raise ConfigError(
            f"There is no history entry {number}.", hint="`trueup history` lists the entries."
        )
    e = found[0]
    if as_json:
        click.echo(output.dump_json({"id": e.id, **_summary(e), **e.details()}))
        return
    if e.kind == "sync":
        click.echo(
            f"#{e.id}  sync: found in sync at {e.applied_at} by trueup {e.trueup_version}, "
            "nothing applied"
        )
    else:
        click.echo(f"#{e.id}  {e.kind}, applied {e.applied_at} by trueup {e.trueup_version}")
    if e.schema_path:
        click.echo(f"Schema: {e.schema_path} ({e.schema_hash})")
    click.echo(f"Database schema {'then' if e.kind == 'sync' else 'afterwards'}: {e.fingerprint}")
    if e.kind == "rollback" and e.flags.get("to") is not None:
        click.echo(f"Rolled back to before #{e.flags['to']}, from {e.flags.get('restored')}")
    if e.backup:
        click.echo(f"Backup taken before: {e.backup}")
    flags = ", ".join(k for k, v in sorted(e.flags.items()) if v is True)
    if flags:
        click.echo(f"Flags: {flags}")
    for step in e.data_steps:
        skipped = f"; not needed, {step['not_needed']}" if step.get("not_needed") else ""
        click.echo(f"Data step: {step['name']} ({step['when']}){skipped}")
    if e.findings:
        click.echo("Findings:")
        for f in e.findings:
            click.echo(f"  • [{f['code']} {f['risk']}] {f['message']}")
    if e.statements:
        click.echo("Statements:")
        for sql in e.statements:
            for line in (sql + ";").splitlines():
                click.echo("  " + line)


def _summary(e: Entry) -> dict[str, object]:
    return {
        "applied_at": e.applied_at,
        "kind": e.kind,
        "statements": len(e.statements),
        "backup": e.backup,
        "schema_hash": e.schema_hash,
        "fingerprint": e.fingerprint,
    }
