"""Where data comes from: a file or stdin, every failure named by the file it is about."""

from __future__ import annotations

import contextlib
import os
import stat
import sys

from trainzip.errors import TrainzipError

STDIO = "-"


class Source:
    """One input: a path, or '-' for stdin (named 'stdin' in messages, as gzip does)."""

    def __init__(self, path: str):
        self.path = path
        self.name = "stdin" if path == STDIO else path

    def open(self):
        """A binary stream of the input (stdin's own, or the file opened), for a caller that reads
        it in pieces; a missing file or a directory is one line naming it."""
        if self.path == STDIO:
            return contextlib.nullcontext(sys.stdin.buffer)
        if not os.path.lexists(self.path):
            raise TrainzipError(f"{self.path}: no such file")
        if os.path.isdir(self.path):
            raise TrainzipError(f"{self.path}: is a directory")
        try:
            return open(self.path, "rb")  # noqa: SIM115  (the caller's with-block closes it)
        except OSError as error:
            raise TrainzipError(f"{self.name}: cannot read it: {error.strerror or error}") from None

    @contextlib.contextmanager
    def reader(self):
        """The input as a stream for a caller that reads it in pieces, each read's failure one line
        naming the input (an input/output error, a device that refuses)."""
        with self.open() as stream:
            yield _NamedReads(stream, self.name)

    def read(self) -> bytes:
        """The whole input; every failure is one line naming it."""
        with self.open() as stream:
            try:
                return stream.read()
            except OSError as error:
                raise TrainzipError(f"{self.name}: cannot read it: {error.strerror or error}") from None

    def size(self) -> int | None:
        """The input's length in bytes where it is a regular file (None: stdin, a FIFO, a device)."""
        if self.path == STDIO or kind_of(self.path) != "regular":
            return None
        try:
            return os.path.getsize(self.path)
        except OSError:
            return None

    def is_terminal(self) -> bool:
        """stdin attached to a terminal (compressed data is not read from one)."""
        return self.path == STDIO and sys.stdin.isatty()


class _NamedReads:
    """A binary stream whose read errors name the input."""

    def __init__(self, stream, name: str):
        self.stream, self.name = stream, name

    def read(self, size: int = -1) -> bytes:
        try:
            return self.stream.read(size)
        except OSError as error:
            raise TrainzipError(f"{self.name}: cannot read it: {error.strerror or error}") from None


def kind_of(path: str) -> str:
    """'missing', 'directory', 'regular' or 'special' (a FIFO, device or socket), following links."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return "missing"
    if stat.S_ISDIR(mode):
        return "directory"
    return "regular" if stat.S_ISREG(mode) else "special"


def read_input(path: str) -> bytes:
    """The whole input, from a file or from stdin ('-')."""
    return Source(path).read()
