"""The `trainzip` command: gzip's command line (`trainzip [-d] FILE...`) and the subcommands.

`trainzip COMMAND ...` runs a subcommand (one module each, imported only when it runs); anything
else is the gzip-style command line (`gzip_style`). Every failure becomes one line on stderr and
gzip's exit status, never a traceback.
"""

from __future__ import annotations

import os
import sys

import click

from trainzip.cli import interrupts, startup
from trainzip.cli.commands import SUBCOMMANDS, group
from trainzip.cli.outputs import StdoutClosed
from trainzip.errors import TrainzipError

ERROR = 1
BROKEN_PIPE = 128 + 13  # the status of a process that SIGPIPE ended, as gzip's is under `| head`
EXITS_AT_ONCE = ("compress", "decompress", "info")  # subcommands whose every output is closed when they end


def main(argv: list[str] | None = None) -> int:
    """Run the command line ``argv`` (default: the process's); returns the exit status.

    As the process's own command (no ``argv``) it also skips Numba's BLAS probe and, after a
    coding command, Python's teardown (see `startup`): the process is trainzip's. Called from
    Python with ``argv``, it leaves the caller's process alone.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    interrupts.forget()
    previous_handlers = interrupts.install()
    probe_skipper = startup.skip_blas_probe() if argv is None else None
    try:
        status = _run(args)
    finally:
        startup.remove(probe_skipper)
        interrupts.restore(previous_handlers)
    if argv is None and _exits_at_once(args):
        startup.exit_now(status)
    return status


def _exits_at_once(args: list[str]) -> bool:
    """The gzip-style command line and the coding subcommands; not those that draw with matplotlib
    or run a demo, whose libraries may still clean up at exit."""
    return not (args and args[0] in SUBCOMMANDS) or args[0] in EXITS_AT_ONCE


def _command(args: list[str]) -> click.Command:
    """A subcommand if the first word names one, else the gzip-style command line."""
    if args and args[0] in SUBCOMMANDS:
        return group
    from trainzip.cli.gzip_style import command

    return command


def _run(args: list[str]) -> int:
    """The command itself, each failure mapped to one line on stderr and an exit status."""
    try:
        status = _command(args).main(args=args, prog_name="trainzip", standalone_mode=False)
    except TrainzipError as error:
        message = str(error).replace("\n", " ")  # one line, whatever the file made it quote
        click.echo(f"trainzip: error: {message}", err=True)
        return ERROR
    except click.exceptions.Abort as abort:  # click's wrapping of a KeyboardInterrupt
        cause = abort.__cause__
        return _interrupted(cause if isinstance(cause, KeyboardInterrupt) else interrupts.Interrupted())
    except KeyboardInterrupt as interruption:
        return _interrupted(interruption)
    except click.UsageError as error:
        error.show()
        return ERROR  # gzip's status for a wrong command line (2 means a warning)
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except StdoutClosed:
        _silence_stdout()
        return BROKEN_PIPE
    except MemoryError:
        click.echo("trainzip: error: not enough memory", err=True)
        return ERROR
    except OSError as error:  # one not met where a file is read or written: still one line
        where = f"{error.filename}: " if error.filename else ""
        click.echo(f"trainzip: error: {where}{error.strerror or error}", err=True)
        return ERROR
    return status if isinstance(status, int) else 0


def _interrupted(interruption: KeyboardInterrupt) -> int:
    signal_name = interruption.name if isinstance(interruption, interrupts.Interrupted) else "SIGINT"
    click.echo(f"trainzip: interrupted by {signal_name}; no partial file was left", err=True)
    return interruption.exit_code if isinstance(interruption, interrupts.Interrupted) else 130


def _silence_stdout() -> None:
    """After the reader of stdout left, stop Python's own flush at exit from complaining."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass  # stdout is not a real file (a test's capture): nothing will complain


if __name__ == "__main__":
    sys.exit(main())
