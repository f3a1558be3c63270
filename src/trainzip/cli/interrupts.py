"""Ctrl-C, SIGTERM and SIGHUP, remembered: each stops the command the same way, leaving no file.

Each of the three raises `Interrupted` (a KeyboardInterrupt, so no `except Exception` swallows
it), and the outputs' clean-up runs as the exception unwinds; the command exits 128 + the
signal's number, as a shell reports a death by that signal. A press is never lost, even when a
library swallows its KeyboardInterrupt: seen here, a press during start-up (the torch imports) or
while Numba compiles a kernel for the first time was swallowed and compression ran to its end, so
the handler also keeps a flag that the progress callback checks between coded chunks.
`deferred()` holds the signals back while an output is renamed into place or removed, so neither
is cut in half.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

_received: list[int] = []  # the signals received since `forget`, in order
_held: list[int] = []  # those received inside `deferred`, raised when it ends
_deferring = 0  # how many `deferred` blocks are open


class Interrupted(KeyboardInterrupt):
    """The command was stopped by a signal (Ctrl-C, SIGTERM or SIGHUP)."""

    def __init__(self, signum: int = signal.SIGINT):
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """128 + the signal's number: 130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP."""
        return 128 + self.signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


def _on_signal(signum, frame) -> None:
    _received.append(signum)
    if _deferring:
        _held.append(signum)
        return
    raise Interrupted(signum)


def _quiet_unraisable(unraisable, _default=sys.unraisablehook) -> None:
    """A signal that lands in a ctypes callback (Numba's compiler, loading kernels) cannot be raised
    there, and Python would print its traceback; it is remembered instead (see `raise_if_received`)."""
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        return
    _default(unraisable)


def _on_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def install() -> dict | None:
    """Handle the three signals from now on (main thread only; elsewhere Python delivers none).

    Returns the handlers it replaced (None off the main thread), for `restore`.
    """
    if not _on_main_thread():
        return None
    previous = {signum: signal.signal(signum, _on_signal) for signum in SIGNALS}
    previous["unraisablehook"] = sys.unraisablehook
    sys.unraisablehook = _quiet_unraisable
    return previous


def restore(previous: dict | None) -> None:
    """Put back the handlers `install` replaced, so a caller in the same process gets its own back."""
    if previous is not None and _on_main_thread():
        previous = dict(previous)
        sys.unraisablehook = previous.pop("unraisablehook", sys.unraisablehook)
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


def forget() -> None:
    """Start a new command with no signal remembered."""
    _received.clear()


def raise_if_received() -> None:
    """Raise `Interrupted` if a signal came since `forget`, swallowed by a library or not."""
    if _received:
        raise Interrupted(_received[0])


@contextlib.contextmanager
def deferred():
    """Hold the three signals back inside the block; one that came meanwhile is raised after it.

    Held in Python rather than masked: a process-directed signal may be taken by any thread that
    does not mask it (tqdm's monitor, PyTorch's pools), and Python then runs its handler in the
    main thread all the same.
    """
    global _deferring
    _deferring += 1
    try:
        yield
    finally:
        _deferring -= 1
        held = list(_held) if not _deferring else []
        if not _deferring:
            _held.clear()
    if held:
        raise Interrupted(held[0])
