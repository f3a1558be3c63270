"""Where data comes from: a file or stdin, read whole, every failure named by the file it is about."""

from __future__ import annotations

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

    def read(self) -> bytes:
        """The whole input; a missing file, a directory or a read error is one line naming it."""
        if self.path == STDIO:
            return _read_stdin()
        if not os.path.lexists(self.path):
            raise TrainzipError(f"{self.path}: no such file")
        if os.path.isdir(self.path):
            raise TrainzipError(f"{self.path}: is a directory")
        try:
            with open(self.path, "rb") as handle:
                return handle.read()
        except OSError as error:
            raise TrainzipError(f"{self.path}: cannot read it: {error.strerror or error}") from None

    def is_terminal(self) -> bool:
        """stdin attached to a terminal (compressed data is not read from one)."""
        return self.path == STDIO and sys.stdin.isatty()


def _read_stdin() -> bytes:
    try:
        return sys.stdin.buffer.read()
    except OSError as error:
        raise TrainzipError(f"stdin: cannot read it: {error.strerror or error}") from None


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
