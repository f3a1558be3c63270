"""Ctrl-C, remembered: a press is never lost, even when a library swallows its KeyboardInterrupt.

Seen here: a press during start-up (the torch imports) or while Numba compiles a kernel for the
first time (about 10 s after installing) was swallowed, and compression ran to its end. The
handler below still raises KeyboardInterrupt at once, and also keeps a flag that the progress
callback checks between coded chunks.
"""

from __future__ import annotations

import signal
import sys
import threading

_pressed = threading.Event()


def _on_interrupt(signum, frame) -> None:
    _pressed.set()
    raise KeyboardInterrupt


def _quiet_unraisable(unraisable, _default=sys.unraisablehook) -> None:
    """A press that lands in a ctypes callback (Numba's compiler, loading kernels) cannot be raised
    there, and Python would print its traceback; it is remembered instead (see `raise_if_pressed`)."""
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        return
    _default(unraisable)


def install():
    """Remember Ctrl-C from now on (main thread only; elsewhere Python delivers no signals).

    Returns the handler it replaced (None off the main thread), for `restore`.
    """
    if threading.current_thread() is threading.main_thread():
        sys.unraisablehook = _quiet_unraisable
        return signal.signal(signal.SIGINT, _on_interrupt)
    return None


def restore(previous) -> None:
    """Put back the handler `install` replaced, so a caller in the same process gets its own back."""
    if previous is not None and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, previous)


def forget() -> None:
    """Start a new command with no press remembered."""
    _pressed.clear()


def raise_if_pressed() -> None:
    """Raise KeyboardInterrupt if Ctrl-C was pressed since `forget`, swallowed or not."""
    if _pressed.is_set():
        raise KeyboardInterrupt
