"""`trainzip compress`: train a network online on a file while it codes the file."""

from __future__ import annotations

import json
import os

import click

from trainzip.cli.files import STDIO, ensure_can_write
from trainzip.cli.options import force_option, json_option, output_option, quiet_option, ray_option, workers_option
from trainzip.errors import TrainzipError
from trainzip.codec.presets import LEVELS, preset


def default_output(input_path: str) -> str:
    """IN.tz, or stdout for stdin."""
    return STDIO if input_path == STDIO else input_path + ".tz"


def refuse_same_file(input_path: str, output_path: str) -> None:
    """The input is never touched: writing the output over it is refused."""
    if STDIO not in (input_path, output_path) and os.path.exists(output_path) and \
            os.path.samefile(input_path, output_path):
        raise TrainzipError(f"{output_path}: is the input file itself")


def check_json_target(as_json: bool, output_path: str) -> None:
    if as_json and output_path == STDIO:
        raise TrainzipError("--json prints to stdout, so the output needs a file name (-o FILE)")


@click.command("compress")
@click.argument("input_path", metavar="IN")
@output_option
@click.option("--level", type=click.Choice(list(LEVELS)), default="default", show_default=True,
              help="Preset: speed against size.")
@click.option("--streams", type=click.IntRange(1, 256), help="Parallel streams per block (trades size for speed).")
@click.option("--seed", type=int, help="Seed of the learner's initial state.")
@click.option("--threads", type=click.IntRange(1, 64), help="PyTorch threads (decoding uses the same).")
@click.option("--block-size", type=click.IntRange(1), help="Bytes per independently coded block.")
@click.option("--verify", is_flag=True, help="Decode the result before writing it.")
@workers_option
@ray_option
@force_option
@quiet_option
@json_option
def command(input_path, output, level, streams, seed, threads, block_size, verify, workers, ray_address, force, quiet,
            as_json):
    """Compress IN to IN.tz (settings are recorded in the file)."""
    output = output or default_output(input_path)
    check_json_target(as_json, output)
    ensure_can_write(output, force)
    refuse_same_file(input_path, output)
    overrides = {"streams": streams, "seed": seed, "threads": threads, "block_size": block_size}
    config = preset(level).replace(**{key: value for key, value in overrides.items() if value is not None})

    from trainzip.cli.coding import compress_file
    from trainzip.codec.run_record import codec_record

    report = compress_file(input_path, output, config, workers=workers, ray_address=ray_address, force=force,
                           quiet=quiet, verify=verify)
    if as_json:
        click.echo(json.dumps(codec_record(report, kind="compress", file=input_path)))
    elif not quiet:
        click.echo(f"{input_path}: {report.original_bytes:,} -> {report.compressed_bytes:,} bytes, "
                   f"{report.bits_per_byte:.3f} bits/byte, {report.seconds:.1f} s "
                   f"({report.bytes_per_second / 1000:.1f} kB/s)", err=True)
