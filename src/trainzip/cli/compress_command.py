"""`trainzip compress`: train a network online on a file while it codes the file."""

from __future__ import annotations

import functools
import json

import click

from trainzip.cli.coding import compress_into, level_config
from trainzip.cli.inputs import STDIO, Source
from trainzip.cli.options import (LEVEL_NAMES, force_option, json_option, output_option, quiet_option, ray_option,
                                  workers_option)
from trainzip.cli.outputs import open_output, opened, refuse_input_as_output
from trainzip.cli.progress import byte_progress
from trainzip.errors import TrainzipError


def default_output(input_path: str) -> str:
    """IN.tz, or stdout for stdin."""
    return STDIO if input_path == STDIO else input_path + ".tz"


def check_json_target(as_json: bool, output_path: str) -> None:
    if as_json and output_path == STDIO:
        raise TrainzipError("--json prints to stdout, so the output needs a file name (-o FILE)")


@click.command("compress")
@click.argument("input_path", metavar="IN")
@output_option
@click.option("--level", type=click.Choice(LEVEL_NAMES), default="default", show_default=True,
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
    refuse_input_as_output(input_path, output)
    source = Source(input_path)
    with opened(open_output(output, force=force)) as sink:
        config = level_config(level, streams=streams, seed=seed, threads=threads, block_size=block_size)
        report = compress_into(source, sink, config=config, verify=verify, workers=workers, ray_address=ray_address,
                               progress=functools.partial(byte_progress, quiet=quiet))
    if as_json:
        from trainzip.codec.run_record import codec_record

        click.echo(json.dumps(codec_record(report, kind="compress", file=input_path)))
    elif not quiet:
        click.echo(f"{source.name}: {report.original_bytes:,} -> {report.compressed_bytes:,} bytes, "
                   f"{report.bits_per_byte:.3f} bits/byte, {report.seconds:.1f} s "
                   f"({report.bytes_per_second / 1000:.1f} kB/s)", err=True)
