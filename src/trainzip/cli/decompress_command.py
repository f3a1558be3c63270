"""`trainzip decompress`: replay the same training to read every byte back."""

from __future__ import annotations

import json

import click

from trainzip.cli.compress_command import check_json_target, refuse_same_file
from trainzip.cli.files import STDIO, ensure_can_write
from trainzip.cli.options import force_option, json_option, output_option, quiet_option, ray_option, workers_option
from trainzip.errors import TrainzipError


def default_output(input_path: str) -> str:
    """The input's name without .tz, or stdout for stdin."""
    if input_path == STDIO:
        return STDIO
    if not input_path.endswith(".tz") or len(input_path) == 3:
        raise TrainzipError(f"{input_path}: name does not end in .tz; give the output name with -o")
    return input_path[:-3]


@click.command("decompress")
@click.argument("input_path", metavar="IN.tz")
@output_option
@click.option("--ignore-fingerprint", is_flag=True,
              help="Decode even if this machine's numerics differ (the checksum still guards the result).")
@workers_option
@ray_option
@force_option
@quiet_option
@json_option
def command(input_path, output, ignore_fingerprint, workers, ray_address, force, quiet, as_json):
    """Decompress IN.tz (no settings needed: they are in the file)."""
    output = output or default_output(input_path)
    check_json_target(as_json, output)
    ensure_can_write(output, force)
    refuse_same_file(input_path, output)

    from trainzip.cli.coding import decompress_file
    from trainzip.codec.run_record import codec_record

    report = decompress_file(input_path, output, workers=workers, ray_address=ray_address, force=force, quiet=quiet,
                             ignore_fingerprint=ignore_fingerprint)
    if as_json:
        click.echo(json.dumps(codec_record(report, kind="decompress", file=input_path)))
    elif not quiet:
        click.echo(f"{input_path}: {report.compressed_bytes:,} -> {report.original_bytes:,} bytes, checksum ok, "
                   f"{report.seconds:.1f} s ({report.bytes_per_second / 1000:.1f} kB/s)", err=True)
