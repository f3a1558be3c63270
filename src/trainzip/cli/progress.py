"""A progress bar on stderr: bytes, speed, and bits per byte so far; a signal stops it between chunks."""

from __future__ import annotations

import contextlib
import sys

from trainzip.cli import interrupts


class _ByteBar:
    """The callback ``(bytes_done, bits_so_far)`` that drives the bar (None: quiet); `set_total` once
    the length is known."""

    def __init__(self, bar):
        self.bar = bar

    def __call__(self, bytes_done: int, bits: float) -> None:
        interrupts.raise_if_received()
        if self.bar is None:
            return
        self.bar.update(bytes_done - self.bar.n)
        if bytes_done:
            self.bar.set_postfix_str(f"{bits / bytes_done:.3f} bits/byte", refresh=False)

    def set_total(self, total_bytes: int) -> None:
        if self.bar is not None:
            self.bar.total = total_bytes
            self.bar.refresh()


@contextlib.contextmanager
def byte_progress(total_bytes: int | None, description: str, quiet: bool, *, delay_s: float = 0.5):
    """Yield a callback ``(bytes_done, bits_so_far)`` that drives a tqdm bar (none when quiet).

    ``total_bytes`` None: not known yet (stdin, or a file whose length comes at its end).
    ``delay_s``: the bar appears only once coding has taken this long, so a small file (or a file
    refused at once) shows none.
    """
    interrupts.install()  # again: an import may have replaced the handlers since start-up
    interrupts.raise_if_received()
    if quiet or not _stderr_is_terminal():  # as zstd: a bar only where someone watches it
        yield _ByteBar(None)
        return
    from tqdm import tqdm  # only where a bar may show

    with tqdm(total=total_bytes, desc=description, unit="B", unit_scale=True, unit_divisor=1024,
              file=sys.stderr, dynamic_ncols=True, leave=False, delay=delay_s) as bar:
        yield _ByteBar(bar)


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed
        return False
