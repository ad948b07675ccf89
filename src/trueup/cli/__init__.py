"""The ``trueup`` command line: thin commands that parse options, call the library and
print the result. Errors meant for people are printed as such (no traceback), with the
exit code of their kind."""

from __future__ import annotations

import os
import signal
from importlib import import_module
from typing import Any, NoReturn

import click

from trueup import __version__
from trueup.errors import TrueupError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
#: The exit code of a command line trueup cannot read (an unknown command or option, a
#: missing or bad value): BSD's EX_USAGE. Not click's 2, which is "changes pending" here,
#: so a CI drift check never takes a typo in its own command for drift.
EXIT_USAGE = 64
#: Set in a context's ``meta`` by a command whose output is JSON (see ``json_output``):
#: its errors are then JSON on stdout too, besides the message on stderr.
JSON_ERRORS = "trueup.json_errors"
#: Set when the error was already put in the command's own JSON document.
JSON_ERROR_SHOWN = "trueup.json_error_shown"


# Each command's module is imported only when that command runs (or for --help): the
# push every container start runs must not pay for export, restore or their imports.
COMMANDS = {
    "push": "trueup.cli.push:push",
    "diff": "trueup.cli.diff:diff",
    "inspect": "trueup.cli.inspect:inspect",
    "backup": "trueup.cli.backup:backup_command",
    "backups": "trueup.cli.backup:backups_command",
    "restore": "trueup.cli.restore:restore",
    "export": "trueup.cli.export:export",
    "import": "trueup.cli.import_:import_",
    "copy": "trueup.cli.copy:copy",
    "start": "trueup.cli.start:start",
    "history": "trueup.cli.history:history_command",
    "rollback": "trueup.cli.rollback:rollback",
}


class TrueupGroup(click.Group):
    """A group that loads its commands on demand and turns trueup's errors into a message
    and an exit code."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, _, attr = target.partition(":")
        command: click.Command = getattr(import_module(module), attr)
        return command

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:  # trueup's own options, or no command at all
            _usage_error(exc)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:  # a command's name, options or arguments
            _usage_error(exc)
        except TrueupError as exc:
            if ctx.meta.get(JSON_ERRORS) and not ctx.meta.get(JSON_ERROR_SHOWN):
                import json

                click.echo(json.dumps({"error": exc.to_data()}, indent=2, ensure_ascii=False))
            click.echo(click.style("Error: ", fg="red", bold=True) + str(exc), err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (see trueup.cli.signals)
            from trueup.cli.signals import interruption

            message, code = interruption(exc)
            click.echo(message, err=True)
            ctx.exit(code)


def json_output() -> None:
    """Called by a command whose output is JSON: its errors are JSON on stdout too."""
    click.get_current_context().meta[JSON_ERRORS] = True


def _usage_error(exc: click.UsageError) -> NoReturn:
    exc.show()  # as click shows it: the usage line, and the error
    raise click.exceptions.Exit(EXIT_USAGE) from None


@click.group(cls=TrueupGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="trueup")
def cli() -> None:
    """Keep a database's schema equal to a declared schema: no migration files, no
    surprise data loss.

    \b
    Typical use, at every container start:
      trueup push --schema schema.sql --url file:./data/app.db
    """


def main() -> None:
    from trueup.cli.signals import handle_sigterm
    from trueup.cli.streams import forgiving_output

    handle_sigterm()
    forgiving_output()
    try:
        cli(prog_name="trueup", color=False if _colour_off() else None)
    finally:
        # The command is over, its work done or undone. A SIGTERM from here on would land
        # while Python exits, which puts the default handler back first: the process would
        # die "killed" after a command that finished. Exiting is what it asks for anyway.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)


def _colour_off() -> bool:
    """No colour, on a terminal too, when $NO_COLOR is set (https://no-color.org) or the
    terminal says it has none (TERM=dumb). Elsewhere click leaves colour out by itself."""
    return bool(os.environ.get("NO_COLOR")) or os.environ.get("TERM") == "dumb"


if __name__ == "__main__":  # pragma: no cover
    main()
