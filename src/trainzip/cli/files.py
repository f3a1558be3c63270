"""Reading inputs and publishing outputs so that nothing is ever lost or left half-written.

Outputs are written to a temporary file beside the destination and renamed into place only when
complete; an existing file is replaced only with --force; '-' means stdin or stdout.
"""

from __future__ import annotations

import contextlib
import os
import shutil
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


@contextlib.contextmanager
def open_input(path: str):
    """Yield (binary stream, its size in bytes or None when unknown) of a file or of stdin ('-')."""
    if path == STDIO:
        yield sys.stdin.buffer, None
        return
    if not os.path.exists(path):
        raise TrainzipError(f"{path}: no such file")
    if os.path.isdir(path):
        raise TrainzipError(f"{path}: is a directory")
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        yield handle, size if os.path.isfile(path) else None


@contextlib.contextmanager
def atomic_output(path: str, force: bool, *, spool: bool = False):
    """Yield a binary stream to write the output into as it is made.

    A file is written to a temporary file beside it, renamed into place only when the body of the
    ``with`` ends without an error (removed otherwise). Stdout ('-') is written as it comes, or
    with ``spool`` kept in a temporary file until the end (when it must be checked first).
    """
    if path == STDIO:
        if not spool:
            yield sys.stdout.buffer
            sys.stdout.buffer.flush()
            return
        with tempfile.TemporaryFile() as spooled:
            yield spooled
            spooled.seek(0)
            shutil.copyfileobj(spooled, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        return
    ensure_can_write(path, force)
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".trainzip-", suffix=".part", dir=directory)
    try:
        with os.fdopen(handle, "w+b") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        _publish_temporary(temporary, path, force)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _publish_temporary(temporary: str, path: str, force: bool) -> None:
    """Give the finished temporary file the usual permissions and rename it into place."""
    ensure_can_write(path, force)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes 0600; give the usual permissions
    os.replace(temporary, path)


def ensure_can_write(path: str, force: bool) -> None:
    """Fail before any work if the output exists and may not be replaced."""
    if path != STDIO and os.path.exists(path) and not force:
        raise TrainzipError(f"{path}: already exists (use --force to overwrite)")


def publish(path: str, data: bytes, force: bool) -> None:
    """Write ``data`` to ``path`` atomically (temporary file, then rename), or to stdout for '-'."""
    with atomic_output(path, force) as out:
        out.write(data)
