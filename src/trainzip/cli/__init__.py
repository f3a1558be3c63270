"""The `trainzip` command: one module per subcommand, gathered here."""

from __future__ import annotations

import importlib
import sys

import click

from trainzip._version import __version__
from trainzip.cli import interrupts
from trainzip.errors import TrainzipError

_SUBCOMMANDS = ("compress", "decompress", "info", "demo", "probe", "report", "limits")


class _LazyGroup(click.Group):
    """Imports a subcommand's module only when it runs, so `trainzip info` needs no torch import."""

    def list_commands(self, ctx):
        return list(_SUBCOMMANDS)

    def get_command(self, ctx, name):
        if name not in _SUBCOMMANDS:
            return None
        try:
            module = importlib.import_module(f"trainzip.cli.{name}_command")
        except ModuleNotFoundError as error:
            if error.name == f"trainzip.cli.{name}_command":
                return None
            raise
        return module.command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="trainzip")
def cli() -> None:
    """Training is compression: code files and labels with networks that learn as they go."""


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; user errors become one line on stderr and exit code 1, never a traceback."""
    interrupts.forget()
    previous_handler = interrupts.install()
    try:
        return _run(argv)
    finally:
        interrupts.restore(previous_handler)


def _run(argv: list[str] | None) -> int:
    """The command itself, each failure mapped to one line on stderr and an exit code."""
    try:
        cli.main(args=argv, prog_name="trainzip", standalone_mode=False)
    except TrainzipError as error:
        click.echo(f"trainzip: error: {error}", err=True)
        return 1
    except click.exceptions.Abort:
        click.echo("trainzip: interrupted; no output was written", err=True)
        return 130
    except KeyboardInterrupt:
        click.echo("trainzip: interrupted; no output was written", err=True)
        return 130
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except OSError as error:
        click.echo(f"trainzip: error: {error.strerror or error}: {error.filename or ''}".rstrip(": "), err=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
