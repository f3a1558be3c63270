"""A progress bar on stderr: bytes, speed, and bits per byte so far."""

from __future__ import annotations

import contextlib
import sys

from tqdm import tqdm


@contextlib.contextmanager
def byte_progress(total_bytes: int, description: str, quiet: bool):
    """Yield a callback ``(bytes_done, bits_so_far)`` that drives a tqdm bar (silent when quiet)."""
    with tqdm(total=total_bytes, desc=description, unit="B", unit_scale=True, unit_divisor=1024,
              file=sys.stderr, disable=quiet, dynamic_ncols=True, leave=False) as bar:

        def update(bytes_done: int, bits: float) -> None:
            bar.update(bytes_done - bar.n)
            if bytes_done:
                bar.set_postfix_str(f"{bits / bytes_done:.3f} bits/byte", refresh=False)

        yield update
