"""`trainzip decompress`: replay the same training to read every byte back."""

from __future__ import annotations

import functools
import json

import click

from trainzip.cli.coding import decompress_into
from trainzip.cli.compress_command import check_json_target
from trainzip.cli.inputs import STDIO, Source
from trainzip.cli.options import force_option, json_option, memlimit_option, output_option, quiet_option, ray_option, \
    workers_option
from trainzip.cli.outputs import open_output, opened, refuse_input_as_output
from trainzip.cli.progress import byte_progress
from trainzip.errors import TrainzipError
from trainzip.memory_limit import resolve_limit

SUFFIX = ".tz"


def default_output(input_path: str) -> str:
    """The input's name without .tz, or stdout for stdin."""
    if input_path == STDIO:
        return STDIO
    if not input_path.endswith(SUFFIX) or len(input_path) == len(SUFFIX):
        raise TrainzipError(f"{input_path}: name does not end in .tz; give the output name with -o")
    return input_path[:-len(SUFFIX)]


@click.command("decompress")
@click.argument("input_path", metavar="IN.tz")
@output_option
@workers_option
@ray_option
@force_option
@quiet_option
@json_option
@memlimit_option
def command(input_path, output, workers, ray_address, force, quiet, as_json, memory_limit):
    """Decompress IN.tz (no settings needed: they are in the file)."""
    memory_limit = resolve_limit(memory_limit)
    output = output or default_output(input_path)
    check_json_target(as_json, output)
    refuse_input_as_output(input_path, output)
    source = Source(input_path)
    with opened(open_output(output, force=force)) as sink:
        report = decompress_into(source, sink, workers=workers, ray_address=ray_address,
                                 progress=functools.partial(byte_progress, quiet=quiet), memory_limit=memory_limit)
    if as_json:
        from trainzip.codec.run_record import codec_record

        click.echo(json.dumps(codec_record(report, kind="decompress", file=input_path)))
    elif not quiet:
        click.echo(f"{source.name}: {report.compressed_bytes:,} -> {report.original_bytes:,} bytes, checksum ok, "
                   f"{report.seconds:.1f} s ({report.bytes_per_second / 1000:.1f} kB/s)", err=True)
