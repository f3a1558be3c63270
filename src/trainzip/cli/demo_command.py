"""`trainzip demo`: the main job on the sample text trainzip ships, beside gzip and xz."""

from __future__ import annotations

import time
from importlib import resources

import click

from trainzip.cli.progress import byte_progress
from trainzip.errors import IntegrityError
from trainzip.codec.presets import LEVELS


def sample_text() -> bytes:
    """The bundled sample: the opening of Alice's Adventures in Wonderland (public domain)."""
    return resources.files("trainzip").joinpath("data/sample.txt").read_bytes()


def _row(name: str, original: int, compressed: int, compress_s: float, decompress_s: float) -> str:
    return (f"{name:<18} {compressed:>9,} {8 * compressed / original:>9.3f} "
            f"{compress_s:>10.2f} {decompress_s:>12.2f}")


@click.command("demo")
@click.option("--level", type=click.Choice(list(LEVELS)), default="default", show_default=True)
@click.option("-q", "--quiet", is_flag=True, help="No progress bars.")
def command(level, quiet):
    """Compress, decompress and verify the bundled sample; compare with gzip -9 and xz -9e."""
    from trainzip.baselines import baselines
    from trainzip.codec import compress_with_report, decompress_with_report

    data = sample_text()
    # code a few bytes first: the first run after installing compiles the kernels (about 10 s),
    # which the timings below would otherwise charge to compression alone
    compress_with_report(data[:64], level=level)
    with byte_progress(len(data), "compress", quiet) as progress:
        blob, encoded = compress_with_report(data, level=level, progress=progress)
    with byte_progress(len(data), "decompress", quiet) as progress:
        restored, decoded = decompress_with_report(blob, progress=progress)
    if restored != data:
        raise IntegrityError("the demo's round trip did not restore the sample")
    click.echo(f"sample text: {len(data):,} bytes; trainzip round trip verified (SHA-256 match)\n")
    click.echo(f"{'compressor':<18} {'bytes':>9} {'bits/byte':>9} {'compress s':>10} {'decompress s':>12}")
    click.echo(_row(f"trainzip {level}", len(data), len(blob), encoded.seconds, decoded.seconds))
    for name, (compress, decompress) in baselines(["gzip -9", "xz -9e"]).items():
        started = time.perf_counter()
        packed = compress(data)
        middle = time.perf_counter()
        if decompress(packed) != data:
            raise IntegrityError(f"{name} round trip failed")
        click.echo(_row(name, len(data), len(packed), middle - started, time.perf_counter() - middle))
