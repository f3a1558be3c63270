"""Where results go, written whole or not at all, and never over a file that may not be replaced.

An output is opened before any work, so a missing or read-only directory, an existing file
without --force, or a special file trainzip cannot write into is reported at once and by the
output's own name. A regular file is written to a temporary file beside it and renamed into place
only when complete; a FIFO, a device or a name under /dev or /proc (/dev/null, /dev/stdout) is
written into, never replaced; stdout is written as it is. `opened` commits an output when its block ends, or removes
what it wrote when the block fails or a signal stops the command.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile

from trainzip.cli import interrupts
from trainzip.errors import TrainzipError

STDIO = "-"


class OutputExists(TrainzipError):
    """The output exists and may not be replaced (no --force): the input is skipped, nothing is lost."""


class OutputError(TrainzipError):
    """Writing the output failed: named by the output, never by the input being coded."""


class StdoutClosed(Exception):
    """The reader of stdout went away (`trainzip -dc x.tz | head`): stop quietly, as gzip does."""


def _error(path: str, doing: str, error: OSError) -> OutputError:
    return OutputError(f"{path}: cannot {doing}: {error.strerror or error}")


def _write_all(file, data: bytes) -> None:
    """Write every byte: an unbuffered stream (stdout under PYTHONUNBUFFERED, as in many containers)
    may take only part of them, say the 64 KiB a pipe holds, and leave the rest unsaid."""
    view = memoryview(data)
    while view:
        written = file.write(view)
        view = view[written if written is not None else 0:]


class FileOutput:
    """A regular file: a temporary file beside it until `commit` renames it into place."""

    def __init__(self, path: str, *, force: bool):
        self.name = path
        self.force = force
        self.temporary = None
        self.file = None

    def begin(self) -> None:
        """Create the temporary file: a missing or read-only directory shows here, before any work."""
        directory = os.path.dirname(os.path.abspath(self.name))
        with interrupts.deferred():  # a signal waits until the temporary file is known, to be removed
            try:
                handle, self.temporary = tempfile.mkstemp(prefix=".trainzip-", suffix=".part", dir=directory)
            except OSError as error:
                raise _error(self.name, "create it", error) from None
            self.file = os.fdopen(handle, "wb")

    def isatty(self) -> bool:
        return False

    def write(self, data: bytes) -> None:
        try:
            _write_all(self.file, data)
        except OSError as error:
            raise _error(self.name, "write it", error) from None

    def commit(self) -> None:
        """Flush to disk, give the usual permissions, and rename over the destination."""
        try:
            self.file.flush()
            os.fsync(self.file.fileno())
            self.file.close()
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(self.temporary, 0o666 & ~umask)  # mkstemp makes 0600
        except OSError as error:
            raise _error(self.name, "write it", error) from None
        with interrupts.deferred():  # a signal now waits until the output is in place
            if not self.force and os.path.lexists(self.name):  # appeared while we were coding
                raise OutputExists(f"{self.name}: already exists; not overwritten (use --force to overwrite)")
            try:
                os.replace(self.temporary, self.name)
            except OSError as error:
                raise _error(self.name, "write it", error) from None

    def abort(self) -> None:
        """Remove the temporary file; the destination, if it existed, is as it was.

        Closing flushes what the file's buffer still holds, which fails again where the write
        failed (a full disk, EFBIG, EIO): that second failure is not reported, as the first one
        named the output already, and the file is removed all the same (its descriptor is closed
        even when the flush fails)."""
        with interrupts.deferred():
            if self.file is not None:
                with contextlib.suppress(OSError):
                    self.file.close()
            if self.temporary is not None:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self.temporary)


class StreamOutput:
    """stdout, a FIFO or a device: written into as the bytes come (nothing to rename or remove)."""

    def __init__(self, path: str):
        self.path = path
        self.name = "stdout" if path == STDIO else path
        self.file = sys.stdout.buffer if path == STDIO else None

    def begin(self) -> None:
        """Open the FIFO or device (a FIFO waits here for its reader, as under a shell's redirection)."""
        if self.file is None:
            try:
                self.file = open(self.path, "wb")  # noqa: SIM115  (closed in commit/abort)
            except OSError as error:
                raise _error(self.name, "open it for writing", error) from None

    def isatty(self) -> bool:
        """Whether this is a terminal (known once begun; compressed data is not written to one)."""
        return self.file is not None and self.file.isatty()

    def write(self, data: bytes) -> None:
        try:
            _write_all(self.file, data)
            self.file.flush()
        except BrokenPipeError:
            raise StdoutClosed(self.name) from None
        except OSError as error:
            raise _error(self.name, "write it", error) from None

    def commit(self) -> None:
        if self.path != STDIO:
            try:
                self.file.close()
            except OSError as error:
                raise _error(self.name, "write it", error) from None

    def abort(self) -> None:
        if self.path != STDIO and self.file is not None:
            with contextlib.suppress(OSError):
                self.file.close()


class Spool:
    """An unnamed temporary file (in the system's temporary directory) that holds an output's bytes
    until they are checked (`compress --verify`). It has no name a user would know, so its write
    errors are named by the output it is for, and say where the bytes were waiting."""

    def __init__(self, output_name: str):
        self.name = output_name
        self.file = None

    def __enter__(self) -> Spool:
        try:
            self.file = tempfile.TemporaryFile()  # noqa: SIM115  (closed in __exit__)
        except OSError as error:
            raise self._error(error) from None
        return self

    def __exit__(self, *exc_info) -> None:
        with contextlib.suppress(OSError):  # nothing of it is kept: a failed flush loses nothing
            self.file.close()

    def write(self, data: bytes) -> None:
        try:
            _write_all(self.file, data)
        except OSError as error:
            raise self._error(error) from None

    def rewind(self) -> None:
        """Back to the first byte, everything written flushed (to be read)."""
        try:
            self.file.flush()
            self.file.seek(0)
        except OSError as error:
            raise self._error(error) from None

    def read(self, size: int = -1) -> bytes:
        return self.file.read(size)

    def _error(self, error: OSError) -> OutputError:
        where = f"its copy for checking, in {tempfile.gettempdir()}"
        return OutputError(f"{self.name}: cannot write {where}: {error.strerror or error}")


class NoOutput:
    """Where `trainzip -t` writes: nowhere (decoding alone checks the file)."""

    name = "(test)"

    def begin(self) -> None:
        pass

    def write(self, data: bytes) -> None:
        pass

    def commit(self) -> None:
        pass

    def abort(self) -> None:
        pass


def check_output(path: str, *, force: bool) -> None:
    """Refuse, before any work, an output that may not be written: see `open_output`."""
    device_tree = in_device_tree(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        if device_tree:
            raise TrainzipError(f"{path}: no such device (trainzip creates no files in /dev or /proc)") from None
        if os.path.lexists(path) and not force:  # a dangling symbolic link
            raise OutputExists(f"{path}: already exists; not overwritten (use --force to overwrite)") from None
        _check_directory(path)
        return
    except OSError as error:
        raise _error(path, "write it", error) from None
    if stat.S_ISDIR(mode):
        raise TrainzipError(f"{path}: is a directory")
    if stat.S_ISREG(mode) and not force and not device_tree:
        raise OutputExists(f"{path}: already exists; not overwritten (use --force to overwrite)")
    if stat.S_ISBLK(mode) and not force:
        raise TrainzipError(f"{path}: is a block device; use --force to write into it")
    if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISBLK(mode)):
        raise TrainzipError(f"{path}: is a socket or other special file; trainzip cannot write into it")
    if stat.S_ISREG(mode) and not device_tree:
        _check_directory(path)


def _check_directory(path: str) -> None:
    """The directory a new or replaced file goes into must exist and take new files."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise TrainzipError(f"{path}: cannot create it: no such directory {directory}")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise TrainzipError(f"{path}: cannot create it: the directory {directory} is not writable")


def in_device_tree(path: str) -> bool:
    """A name under /dev or /proc (/dev/stdout, /dev/fd/3, /proc/self/fd/1): what it names is
    written into, as a shell's redirection would, and the name itself is never replaced."""
    return os.path.abspath(path).startswith(("/dev/", "/proc/"))


def writes_into(path: str) -> bool:
    """A FIFO, a device, or a name in the device tree: written into rather than replaced."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or in_device_tree(path)


def open_output(path: str, *, force: bool):
    """An output for ``path`` ('-': stdout), checked and opened before any work is done.

    A regular file is replaced only with ``force``; a FIFO, a character device or a name under
    /dev or /proc (/dev/stdout) is written into (a block device only with ``force``); a
    directory, a socket or a missing directory is refused.
    """
    if path == STDIO:
        return StreamOutput(path)
    check_output(path, force=force)
    return StreamOutput(path) if writes_into(path) else FileOutput(path, force=force)


def refuse_input_as_output(input_path: str, output_path: str) -> None:
    """The input is never touched: writing the output over it is refused."""
    if STDIO not in (input_path, output_path) and os.path.isfile(output_path) and os.path.exists(input_path) \
            and os.path.samefile(input_path, output_path):
        raise TrainzipError(f"{output_path}: is the input file itself")


@contextlib.contextmanager
def opened(output):
    """Yield ``output``; commit it if the block succeeds, else remove what was written (and re-raise)."""
    try:
        output.begin()
        yield output
        output.commit()
    except BaseException:
        output.abort()  # after a commit that put the output in place, there is nothing left to remove
        raise
