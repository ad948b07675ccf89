"""The ``trueup`` command line: thin commands that parse options, call the library and
print the result. Errors meant for people are printed as such (no traceback), with the
exit code of their kind."""

from __future__ import annotations

from importlib import import_module
from typing import Any

import click

from trueup import __version__
from trueup.errors import TrueupError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


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

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TrueupError as exc:
            click.echo(click.style("Error: ", fg="red", bold=True) + str(exc), err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (see trueup.cli.signals)
            from trueup.cli.signals import interruption

            message, code = interruption(exc)
            click.echo(message, err=True)
            ctx.exit(code)


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

    handle_sigterm()
    cli(prog_name="trueup")


if __name__ == "__main__":  # pragma: no cover
    main()
