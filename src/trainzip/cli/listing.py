"""`trainzip -l FILE...`: each .tz file's sizes, ratio, level and format, read from its header alone.

Nothing is decoded and no codec is imported: the header records the level by name (or the whole
settings of a custom one), so listing a file costs what reading it does.
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
    """The row of one .tz file (its structure and CRC checked; its content is not decoded)."""
    from trainzip.container import unpack

    source = Source(path)
    blob = source.read()
    with naming(source.name):
        container = unpack(blob)
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
