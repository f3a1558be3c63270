"""Reading inputs and publishing outputs so that nothing is ever lost or left half-written.

Outputs are written to a temporary file beside the destination and renamed into place only when
complete; an existing file is replaced only with --force; '-' means stdin or stdout.
"""

from __future__ import annotations

import os
import sys
import tempfile

from trainzip.errors import TrainzipError

STDIO = "-"


def read_input(path: str) -> bytes:
    """The whole input, from a file or from stdin ('-')."""
    if path == STDIO:
        return sys.stdin.buffer.read()
    if not os.path.exists(path):
        raise TrainzipError(f"{path}: no such file")
    if os.path.isdir(path):
        raise TrainzipError(f"{path}: is a directory")
    with open(path, "rb") as handle:
        return handle.read()


def ensure_can_write(path: str, force: bool) -> None:
    """Fail before any work if the output exists and may not be replaced."""
    if path != STDIO and os.path.exists(path) and not force:
        raise TrainzipError(f"{path}: already exists (use --force to overwrite)")


def publish(path: str, data: bytes, force: bool) -> None:
    """Write ``data`` to ``path`` atomically (temporary file, then rename), or to stdout for '-'."""
    if path == STDIO:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    ensure_can_write(path, force)
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".trainzip-", suffix=".part", dir=directory)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes 0600; give the usual permissions
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
