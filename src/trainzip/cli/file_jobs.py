"""What `trainzip [-d|-t] FILE...` does with each FILE, as gzip, xz and zstd would.

Each job either finishes, raises `Skipped` (a warning: the file was left alone, exit status 2) or
raises a TrainzipError (an error naming the file, exit status 1). Inputs are never changed or
removed (gzip removes them unless -k; trainzip always keeps them).
"""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass

import click

from trainzip.cli.coding import compress_into, decompress_into, level_config
from trainzip.cli.inputs import STDIO, Source, kind_of
from trainzip.cli.outputs import NoOutput, OutputExists, open_output, opened, refuse_input_as_output
from trainzip.cli.progress import byte_progress
from trainzip.errors import TrainzipError
from trainzip.memory_limit import DEFAULT_LIMIT_BYTES

SUFFIX = ".tz"
PROGRESS_DELAY_S = 1.0  # a bar appears only on a file that takes longer than this


class Skipped(TrainzipError):
    """The file was left alone for a reason that loses nothing (gzip's warnings: exit status 2)."""


@dataclass(frozen=True, kw_only=True)
class FileOptions:
    """The command line's choices that every file's job shares."""

    stdout: bool = False  # -c: every result to stdout
    output: str | None = None  # -o OUT: the one result there
    force: bool = False
    quiet: bool = False
    verbose: bool = False
    level: str = "default"
    workers: int | None = None  # -T: processes coding blocks (None: every core)
    ray_address: str | None = None  # --ray: a Ray cluster codes them instead
    memory_limit: int | None = DEFAULT_LIMIT_BYTES  # --memlimit: the most one block's decoding may need (None: any)

    def progress(self, stderr_is_terminal: bool):
        """The progress bars: on a terminal only, after PROGRESS_DELAY_S, never with -q."""
        return functools.partial(byte_progress, quiet=self.quiet or not stderr_is_terminal, delay_s=PROGRESS_DELAY_S)


def _stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


def output_path(path: str, options: FileOptions, *, name_from_input) -> str:
    """-o OUT, stdout (-c or stdin), or the name derived from the input."""
    if options.output is not None:
        return options.output
    if options.stdout or path == STDIO:
        return STDIO
    return name_from_input(path)


def check_input(path: str, options: FileOptions) -> None:
    """Skip, as gzip does, what cannot be coded beside itself: a directory, or a FIFO or device
    unless its result goes to stdout or -o."""
    if path == STDIO:
        return
    kind = kind_of(path)
    if kind == "missing":
        raise TrainzipError(f"{path}: no such file")
    if kind == "directory":
        raise Skipped(f"{path}: is a directory -- ignored")
    if kind == "special" and not (options.stdout or options.output):
        raise Skipped(f"{path}: is not a regular file -- ignored (use -c to read it)")


def compress_file(path: str, options: FileOptions) -> None:
    """FILE -> FILE.tz (or stdout, or -o)."""
    check_input(path, options)
    if path.endswith(SUFFIX) and not options.force and options.output is None:
        raise Skipped(f"{path}: already has the {SUFFIX} suffix -- unchanged (use -f to compress it again)")
    target = output_path(path, options, name_from_input=lambda name: name + SUFFIX)
    refuse_input_as_output(path, target)
    source = Source(path)
    with opened(_open(target, options)) as output:
        if output.isatty() and not options.force:
            raise TrainzipError(f"{output.name}: compressed data not written to a terminal (use -f to force)")
        report = compress_into(source, output, config=level_config(options.level), workers=options.workers,
                               ray_address=options.ray_address, progress=options.progress(_stderr_is_terminal()))
    if options.verbose:
        _say(f"{source.name}: {report.original_bytes:,} -> {report.compressed_bytes:,} bytes, "
             f"{report.bits_per_byte:.3f} bits/byte, {report.seconds:.2f} s -> {_shown(target)}")


def decompress_file(path: str, options: FileOptions) -> None:
    """FILE.tz -> FILE (or stdout, or -o)."""
    check_input(path, options)
    target = output_path(path, options, name_from_input=_without_suffix)
    refuse_input_as_output(path, target)
    source = Source(path)
    refuse_terminal_input(source, options)
    with opened(_open(target, options)) as output:
        report = decompress_into(source, output, workers=options.workers, ray_address=options.ray_address,
                                 progress=options.progress(_stderr_is_terminal()), memory_limit=options.memory_limit)
    if options.verbose:
        _say(f"{source.name}: {report.compressed_bytes:,} -> {report.original_bytes:,} bytes, checksum ok, "
             f"{report.seconds:.2f} s -> {_shown(target)}")


def test_file(path: str, options: FileOptions) -> None:
    """Decode FILE and check it against its recorded length and checksum; write nothing."""
    check_input(path, FileOptions(stdout=True))  # reading a FIFO is fine: nothing is written beside it
    source = Source(path)
    refuse_terminal_input(source, options)
    decompress_into(source, NoOutput(), workers=options.workers, ray_address=options.ray_address,
                    progress=options.progress(_stderr_is_terminal()), memory_limit=options.memory_limit)
    if options.verbose:
        _say(f"{source.name}: OK")


def refuse_terminal_input(source: Source, options: FileOptions) -> None:
    """Compressed data is not read from a terminal (it would wait for typing), unless -f."""
    if source.is_terminal() and not options.force:
        raise TrainzipError("stdin: compressed data not read from a terminal (use -f to force)")


def _without_suffix(path: str) -> str:
    if not path.endswith(SUFFIX) or len(path) == len(SUFFIX):
        raise Skipped(f"{path}: unknown suffix -- ignored (a .tz name, or -c or -o to name the output)")
    return path[:-len(SUFFIX)]


def _open(target: str, options: FileOptions):
    try:
        return open_output(target, force=options.force)
    except OutputExists as error:
        raise Skipped(str(error)) from None


def _shown(target: str) -> str:
    return "stdout" if target == STDIO else target


def _say(line: str) -> None:
    click.echo(line, err=True)
