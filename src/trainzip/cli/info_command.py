"""`trainzip info`: everything in a .tz header, readable."""

from __future__ import annotations

import json

import click

from trainzip.cli.coding import naming
from trainzip.cli.files import STDIO, read_input
from trainzip.container import unpack


def _flatten(settings: dict, prefix: str = "") -> list[tuple[str, object]]:
    rows = []
    for key, value in settings.items():
        if isinstance(value, dict):
            rows += _flatten(value, f"{prefix}{key}.")
        else:
            rows.append((f"{prefix}{key}", value))
    return rows


def describe(path: str, blob: bytes) -> dict:
    """The header's contents, and whether this machine could decode the file as it stands."""
    from trainzip.codec import KIND, read_settings
    from trainzip.errors import FingerprintError
    from trainzip.numerics import check_fingerprint

    container = unpack(blob)
    numerics_match = True
    if "fingerprint" in container.metadata:  # absent: integer models only, the same on every machine
        try:
            check_fingerprint(container.metadata["fingerprint"])
        except FingerprintError:
            numerics_match = False
    settings = container.metadata.get("config", {})
    if container.metadata.get("kind") == KIND:  # a preset is recorded by name: show what the name stands for
        settings = read_settings(container).to_dict()
    original = container.original_length
    return {
        "file": path,
        "format_version": container.format_version,
        "kind": container.metadata.get("kind"),
        "original_bytes": original,
        "original_sha256_prefix": container.original_digest.hex(),
        "compressed_bytes": len(blob),
        "header_bytes": len(blob) - sum(len(b.payload) for b in container.blocks),
        "bits_per_byte": 8 * len(blob) / original if original else None,
        "blocks": [{"original_bytes": b.original_length, "payload_bytes": len(b.payload)} for b in container.blocks],
        "settings": settings,
        "fingerprint": container.metadata.get("fingerprint", {}),
        "numerics_match_this_machine": numerics_match,
    }


@click.command("info")
@click.argument("input_path", metavar="FILE.tz")
@click.option("--json", "as_json", is_flag=True, help="Print the header as JSON.")
def command(input_path, as_json):
    """Show what a .tz file records: sizes, checksum, settings, numerics fingerprint."""
    with naming("stdin" if input_path == STDIO else input_path):
        info = describe(input_path, read_input(input_path))
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    bpb = f"{info['bits_per_byte']:.3f} bits/byte" if info["bits_per_byte"] is not None else "empty input"
    lines = [
        f"file             {info['file']}",
        f"format version   {info['format_version']}",
        f"kind             {info['kind']}",
        f"original         {info['original_bytes']:,} bytes, SHA-256 {info['original_sha256_prefix']}...",
        f"compressed       {info['compressed_bytes']:,} bytes ({bpb}; header {info['header_bytes']:,} bytes)",
        f"blocks           {len(info['blocks'])}: "
        + ", ".join(f"{b['original_bytes']:,} -> {b['payload_bytes']:,}" for b in info["blocks"]),
        "settings",
        *(f"  {key:<30} {value}" for key, value in _flatten(info["settings"])),
        "numerics fingerprint" + ("" if info["numerics_match_this_machine"] else "  (differs from this machine)"),
        *(f"  {key:<30} {value}" for key, value in info["fingerprint"].items()),
        *([] if info["fingerprint"] else ["  none needed: integer models only, decodes on any machine"]),
    ]
    click.echo("\n".join(lines))
