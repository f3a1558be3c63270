"""The subcommands (`trainzip compress IN`, `trainzip info FILE.tz`...), each imported only when it runs.

Their one-line descriptions are written here, so that `trainzip --help` lists them without
importing any of them (tests/test_cli_startup.py checks each against its command's own).
"""

from __future__ import annotations

import importlib

import click

SUBCOMMANDS = {
    "compress": "Compress IN to IN.tz (settings are recorded in the file).",
    "decompress": "Decompress IN.tz (no settings needed: they are in the file).",
    "info": "Show what a .tz file records: sizes, checksum, settings, and whether it decodes on any machine.",
    "demo": "Compress, decompress and verify the bundled sample; compare with gzip -9 and xz -9e.",
    "probe": "MDL probing: online code length of labels given features.",
    "report": "Figures and HTML pages of runs (prequential, compress, probe).",
    "limits": "Code sources of known entropy rate with KT and trainzip; report bits, regret and coder overhead.",
    "lm": "Bits per byte of a causal language model on a text, frozen or learning; the real bitstream as proof.",
}


def load(name: str) -> click.Command:
    """The subcommand ``name``, imported now."""
    return importlib.import_module(f"trainzip.cli.{name}_command").command


class _LazyGroup(click.Group):
    """Imports a subcommand's module only when it runs, so `trainzip info` needs no torch import."""

    def list_commands(self, ctx):
        return list(SUBCOMMANDS)

    def get_command(self, ctx, name):
        return load(name) if name in SUBCOMMANDS else None


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
def group() -> None:
    """Training is compression: code files and labels with networks that learn as they go."""
