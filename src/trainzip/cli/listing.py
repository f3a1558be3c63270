"""`trainzip -l FILE...`: each .tz file's sizes, ratio, level and format, read from its header alone.

Nothing is decoded, but every check decoding makes before it decodes is made (`codec.inspection`:
the settings, the fingerprint's shape, each frame's lengths), so a file that `-t` refuses is not
listed as if it were sound. That loads the settings' modules (Numba, not PyTorch; no kernel runs).
"""

from __future__ import annotations

from dataclasses import dataclass

import click

from trainzip.cli.coding import naming
from trainzip.cli.inputs import Source

HEADER = f"{'compressed':>12} {'uncompressed':>12} {'ratio':>7} {'bits/byte':>9} {'level':<8} {'format':<9} name"


@dataclass(frozen=True)
class Row:
    """One listed file."""

    compressed_bytes: int
    original_bytes: int
    level: str
    format: str
    name: str


def read_row(path: str) -> Row:
    """The row of one .tz file (checked as decoding checks it before it decodes; not decoded)."""
    from trainzip.codec.inspection import inspect

    source = Source(path)
    blob = source.read()
    with naming(source.name):
        container = inspect(blob).container
    settings = container.metadata.get("config")
    settings = settings if isinstance(settings, dict) else {}
    kind = container.metadata.get("kind", "?")
    level = settings.get("level", "custom") if kind == "bytes" else "-"
    revision = settings.get("revision")
    if revision is not None:
        level = f"{level}.{revision}"
    format_name = f"v{container.format_version}" + ("" if kind == "bytes" else f" {kind}")
    return Row(len(blob), container.original_length, str(level), format_name, source.name)


def _format(row: Row) -> str:
    ratio = 1 - row.compressed_bytes / row.original_bytes if row.original_bytes else 0.0
    bits = f"{8 * row.compressed_bytes / row.original_bytes:.3f}" if row.original_bytes else "-"
    return (f"{row.compressed_bytes:>12,} {row.original_bytes:>12,} {100 * ratio:>6.1f}% {bits:>9} "
            f"{row.level:<8} {row.format:<9} {row.name}")


def print_header() -> None:
    click.echo(HEADER)


def print_row(row: Row) -> None:
    click.echo(_format(row))


def print_totals(rows: list[Row]) -> None:
    """gzip's last line when more than one file is listed."""
    total = Row(sum(r.compressed_bytes for r in rows), sum(r.original_bytes for r in rows), "", "", "(totals)")
    click.echo(_format(total))
