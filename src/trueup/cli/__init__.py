"""The ``trueup`` command line: thin commands that parse options, call the library and
print the result. Errors meant for people are printed as such (no traceback), with the
exit code of their kind."""

from __future__ import annotations

from typing import Any

import click

from trueup import __version__
from trueup.errors import TrueupError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class TrueupGroup(click.Group):
    """A group that turns trueup's errors into a message and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TrueupError as exc:
            click.echo(click.style("Error: ", fg="red", bold=True) + str(exc), err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted; nothing was changed.", err=True)
            ctx.exit(130)


@click.group(cls=TrueupGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="trueup")
def cli() -> None:
    """Keep a database's schema equal to a declared schema: no migration files, no
    surprise data loss.

    \b
    Typical use, at every container start:
      trueup push --schema schema.sql --url file:./data/app.db
    """


def _register() -> None:
    from trueup.cli import backup, diff, export, import_, inspect, push, restore, start

    cli.add_command(push.push)
    cli.add_command(diff.diff)
    cli.add_command(inspect.inspect)
    cli.add_command(backup.backup_command)
    cli.add_command(backup.backups_command)
    cli.add_command(restore.restore)
    cli.add_command(export.export)
    cli.add_command(import_.import_)
    cli.add_command(start.start)


_register()


def main() -> None:
    cli(prog_name="trueup")


if __name__ == "__main__":  # pragma: no cover
    main()
