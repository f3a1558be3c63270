"""A progress bar on stderr: bytes, speed, and bits per byte so far; Ctrl-C stops it between chunks."""

from __future__ import annotations

import contextlib
import sys

from tqdm import tqdm

from trainzip.cli import interrupts


class _ByteBar:
    """The callback ``(bytes_done, bits_so_far)`` that drives the bar; `set_total` once the length is known."""

    def __init__(self, bar: tqdm):
        self.bar = bar

    def __call__(self, bytes_done: int, bits: float) -> None:
        interrupts.raise_if_pressed()
        self.bar.update(bytes_done - self.bar.n)
        if bytes_done:
            self.bar.set_postfix_str(f"{bits / bytes_done:.3f} bits/byte", refresh=False)

    def set_total(self, total_bytes: int) -> None:
        self.bar.total = total_bytes
        self.bar.refresh()


@contextlib.contextmanager
def byte_progress(total_bytes: int | None, description: str, quiet: bool):
    """Yield a callback ``(bytes_done, bits_so_far)`` that drives a tqdm bar (silent when quiet);
    ``total_bytes`` None: not known yet (stdin, or a file whose length comes at its end)."""
    with tqdm(total=total_bytes, desc=description, unit="B", unit_scale=True, unit_divisor=1024,
              file=sys.stderr, disable=quiet, dynamic_ncols=True, leave=False) as bar:

        interrupts.install()  # again: an import may have replaced the handler since start-up
        interrupts.raise_if_pressed()
        yield _ByteBar(bar)
