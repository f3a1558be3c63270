"""`trainzip info`: everything in a .tz header, readable."""

from __future__ import annotations

import json

import click

from trainzip.cli.coding import naming
from trainzip.cli.files import STDIO, read_input
from trainzip.memory_limit import format_size, limit_option, resolve_limit


def _numerics_match(container) -> bool:
    """Whether this machine computes a machine-dependent file's floats as its writer did: a 0.6
    byte-codec file (its PyTorch network) or a label stream (a user's PyTorch model)."""
    from trainzip.codec import KIND
    from trainzip.errors import FingerprintError
    from trainzip.numerics import check_fingerprint, check_torch_network_numerics

    recorded = container.metadata.get("fingerprint", {})  # a byte codec file's shape checked by `inspect`
    if not isinstance(recorded, dict) or not isinstance(recorded.get("threads", 1), int):
        return False  # a crafted label stream's: nothing it could match
    check = check_torch_network_numerics if container.metadata.get("kind") == KIND else check_fingerprint
    try:
        check(recorded)
    except FingerprintError:
        return False
    return True


def _independence_line(info: dict) -> str:
    if info["machine_independent"]:
        return ("machine-independent  yes: exact arithmetic (integers, IEEE float32), decodes byte for byte on any "
                "64-bit machine with this or any later release")
    source = "trainzip 0.6's PyTorch network" if info["kind"] == "bytes" else "PyTorch's kernels (a user's model)"
    match = "they match this machine's" if info["numerics_match_this_machine"] else "they differ from this machine's"
    return f"machine-independent  no: coded with {source}; decodes where the numerics below match ({match})"


def _flatten(settings: dict, prefix: str = "") -> list[tuple[str, object]]:
    rows = []
    for key, value in settings.items():
        if isinstance(value, dict):
            rows += _flatten(value, f"{prefix}{key}.")
        else:
            rows.append((f"{prefix}{key}", value))
    return rows


def describe(path: str, blob: bytes) -> dict:
    """The header's contents, checked as decoding checks them (`codec.inspection`), whether the file
    decodes alike on every machine, whether this machine could decode it as it stands, and the memory
    one block's decoding needs against the limit in force."""
    from trainzip.codec import machine_independent
    from trainzip.codec.inspection import inspect

    inspection = inspect(blob)
    container = inspection.container
    independent = inspection.config is not None and machine_independent(container)
    numerics_match = independent or _numerics_match(container)
    settings = container.metadata.get("config", {})
    if inspection.config is not None:  # a preset is recorded by name: show what the name stands for
        settings = inspection.config.to_dict()
    limit = resolve_limit(None)
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
        "machine_independent": independent,
        "numerics_match_this_machine": numerics_match,
        "decode_memory_bytes": inspection.memory_bytes,
        "memory_limit_bytes": limit,
    }


def _memory_line(info: dict) -> list[str]:
    need, limit = info["decode_memory_bytes"], info["memory_limit_bytes"]
    if need is None:
        return []
    verdict = ("no limit" if limit is None else f"within the limit of {format_size(limit)}" if need <= limit else
               f"over the limit of {format_size(limit)}: decode with --memlimit {limit_option(need)}")
    return [f"memory to decode {format_size(need)} per decoding process ({verdict})"]


@click.command("info")
@click.argument("input_path", metavar="FILE.tz")
@click.option("--json", "as_json", is_flag=True, help="Print the header as JSON.")
def command(input_path, as_json):
    """Show what a .tz file records: sizes, checksum, settings, and whether it decodes on any machine."""
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
        *_memory_line(info),
        _independence_line(info),
        *(["numerics fingerprint"] if info["fingerprint"] else []),
        *(f"  {key:<30} {value}" for key, value in info["fingerprint"].items()),
    ]
    click.echo("\n".join(lines))
