"""`trainzip [OPTIONS] [FILE]...`: the command line of gzip, xz and zstd.

FILE -> FILE.tz, -d FILE.tz -> FILE, several files each to its own output, -c to stdout, filter
mode (stdin to stdout) with no FILE, so `tar -I trainzip` works. Where gzip's habits clash with
trainzip's promises, the promises win: the input is never removed (-k is always on) and no
existing file is replaced without -f. Exit status as gzip's: 0 ok, 1 an error, 2 a warning (a
file left alone); 128 + N after signal N.
"""

from __future__ import annotations

import click

from trainzip._version import __version__
from trainzip.cli.commands import SUBCOMMANDS
from trainzip.cli.file_jobs import (FileOptions, Skipped, compress_file, decompress_file, refuse_terminal_input,
                                   test_file)
from trainzip.cli.inputs import STDIO, Source
from trainzip.cli.options import LEVEL_NAMES, memlimit_option, ray_option, workers_option
from trainzip.errors import TrainzipError
from trainzip.memory_limit import resolve_limit

OK, ERROR, WARNING = 0, 1, 2


class _WithSubcommands(click.Command):
    """Help that also lists the subcommands (without importing them)."""

    def format_usage(self, ctx, formatter):
        formatter.write_usage("trainzip", "[OPTIONS] [FILE]...")
        formatter.write_usage("trainzip", "COMMAND [ARGS]...", prefix="       ")

    def format_epilog(self, ctx, formatter):
        with formatter.section("Commands (trainzip COMMAND --help for each)"):
            formatter.write_dl(list(SUBCOMMANDS.items()))
        super().format_epilog(ctx, formatter)


@click.command("trainzip", cls=_WithSubcommands, context_settings={"help_option_names": ["-h", "--help"]},
               epilog="Exit status: 0 ok, 1 error, 2 warning (a file left alone), 128+N after signal N.")
@click.argument("files", nargs=-1, metavar="[FILE]...")
@click.option("-d", "--decompress", is_flag=True, help="Decompress.")
@click.option("-c", "--stdout", is_flag=True, help="Write to standard output.")
@click.option("-o", "--output", metavar="OUT", help="Write to OUT (one FILE only).")
@click.option("-k", "--keep", is_flag=True,
              help="Keep the input files: always so, trainzip never changes or removes them.")
@click.option("-f", "--force", is_flag=True,
              help="Replace existing outputs; write compressed data to a terminal; compress a .tz file again.")
@click.option("-t", "--test", is_flag=True, help="Decode each FILE and check its checksum; write nothing.")
@click.option("-l", "--list", "list_", is_flag=True, help="List each FILE's sizes, ratio, level and format.")
@click.option("-q", "--quiet", is_flag=True, help="No warnings and no progress bar.")
@click.option("-v", "--verbose", is_flag=True, help="A line per file: sizes, bits/byte, time.")
@click.option("--level", type=click.Choice(LEVEL_NAMES), default="default", show_default=True,
              help="Speed against size (recorded in the file).")
@click.option("--fast", is_flag=True, help="--level fast.")
@click.option("--best", is_flag=True, help="--level max.")
@workers_option
@ray_option
@memlimit_option
@click.version_option(__version__, "-V", "--version", prog_name="trainzip")
def command(files, decompress, stdout, output, keep, force, test, list_, quiet, verbose, level, fast, best,
            workers, ray_address, memory_limit) -> int:
    """Compress each FILE to FILE.tz, or with -d decompress each FILE.tz to FILE: a learner trains
    on the data while it codes it, and decoding replays the same training.

    With no FILE, or when FILE is -, read standard input and write standard output. Input files
    are never changed or removed. Use -- before names that start with '-'.
    """
    files = files or (STDIO,)
    _check_combination(files, stdout=stdout, output=output, decompress=decompress, test=test, list_=list_)
    if fast and best:
        raise click.UsageError("--fast and --best ask for different levels; give one")
    level = "fast" if fast else "max" if best else level  # gzip's --fast and --best
    options = FileOptions(stdout=stdout, output=output, force=force, quiet=quiet, verbose=verbose, level=level,
                          workers=workers, ray_address=ray_address, memory_limit=resolve_limit(memory_limit))
    if list_:
        return _list(files, options)
    job = test_file if test else decompress_file if decompress else compress_file
    return _each(files, lambda path: job(path, options), quiet=quiet)


def _check_combination(files, *, stdout, output, decompress, test, list_) -> None:
    if output is not None and stdout:
        raise click.UsageError("-o and -c both name the output; give one")
    if output is not None and len(files) > 1:
        raise click.UsageError("-o names one output; with several files, each gets its own name")
    if (test or list_) and (stdout or output is not None):
        raise click.UsageError("-t and -l write nothing; -c and -o have nothing to write")
    if stdout and len(files) > 1 and not (decompress or test or list_):
        raise click.UsageError("-c with several files would join several .tz files into one stream, which "
                               "trainzip does not read back; compress them one at a time, or into a tar")


def _each(files, job, *, quiet: bool) -> int:
    """Run ``job`` on every file, going on past failures as gzip does; an error outranks a warning."""
    errors = warnings = 0
    for path in files:
        try:
            job(path)
        except Skipped as warning:
            warnings += 1
            if not quiet:
                click.echo(f"trainzip: warning: {warning}", err=True)
        except TrainzipError as error:
            errors += 1
            click.echo(f"trainzip: error: {error}", err=True)
    return ERROR if errors else WARNING if warnings else OK


def _list(files, options: FileOptions) -> int:
    from trainzip.cli import listing

    rows = []

    def list_one(path: str) -> None:
        refuse_terminal_input(Source(path), options)
        row = listing.read_row(path)
        if not rows:
            listing.print_header()
        rows.append(row)
        listing.print_row(row)

    status = _each(files, list_one, quiet=False)
    if len(rows) > 1:
        listing.print_totals(rows)
    return status
