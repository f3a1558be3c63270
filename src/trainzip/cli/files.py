"""Whole inputs and outputs for the subcommands that write one file (report, probe, limits).

'-' means stdin or stdout. An output is checked before any work and published whole: see
`trainzip.cli.outputs` for how (a temporary file renamed into place, a FIFO or device written
into, never replaced, an existing file only with --force).
"""

from __future__ import annotations

from trainzip.cli.inputs import STDIO, read_input
from trainzip.cli.outputs import check_output, open_output, opened

__all__ = ["STDIO", "ensure_can_write", "publish", "read_input"]


def ensure_can_write(path: str, force: bool) -> None:
    """Fail before any work if the output may not be written (it exists without --force, its
    directory is missing, it is a directory or a socket)."""
    if path != STDIO:
        check_output(path, force=force)


def publish(path: str, data: bytes, force: bool) -> None:
    """Write ``data`` to ``path`` whole or not at all, or to stdout for '-'."""
    with opened(open_output(path, force=force)) as output:
        output.write(data)
