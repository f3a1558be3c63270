"""A progress bar on stderr: bytes, speed, and bits per byte so far; Ctrl-C stops it between chunks."""

from __future__ import annotations

import contextlib
import sys

from tqdm import tqdm

from trainzip.cli import interrupts


@contextlib.contextmanager
def byte_progress(total_bytes: int, description: str, quiet: bool):
    """Yield a callback ``(bytes_done, bits_so_far)`` that drives a tqdm bar (silent when quiet)."""
    with tqdm(total=total_bytes, desc=description, unit="B", unit_scale=True, unit_divisor=1024,
              file=sys.stderr, disable=quiet, dynamic_ncols=True, leave=False) as bar:

        interrupts.install()  # again: an import may have replaced the handler since start-up
        interrupts.raise_if_pressed()

        def update(bytes_done: int, bits: float) -> None:
            interrupts.raise_if_pressed()
            bar.update(bytes_done - bar.n)
            if bytes_done:
                bar.set_postfix_str(f"{bits / bytes_done:.3f} bits/byte", refresh=False)

        yield update
