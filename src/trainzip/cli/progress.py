"""A progress bar on stderr: bytes, speed, and bits per byte so far; a signal stops it between chunks."""

from __future__ import annotations

import contextlib
import sys

from trainzip.cli import interrupts


@contextlib.contextmanager
def byte_progress(total_bytes: int, description: str, quiet: bool, *, delay_s: float = 0.0):
    """Yield a callback ``(bytes_done, bits_so_far)`` that drives a tqdm bar (none when quiet).

    ``delay_s``: the bar appears only once coding has taken this long, so a small file shows none.
    """
    interrupts.install()  # again: an import may have replaced the handlers since start-up
    interrupts.raise_if_received()
    if quiet:
        yield lambda bytes_done, bits: interrupts.raise_if_received()
        return
    from tqdm import tqdm  # only where a bar may show

    with tqdm(total=total_bytes, desc=description, unit="B", unit_scale=True, unit_divisor=1024,
              file=sys.stderr, dynamic_ncols=True, leave=False, delay=delay_s) as bar:

        def update(bytes_done: int, bits: float) -> None:
            interrupts.raise_if_received()
            bar.update(bytes_done - bar.n)
            if bytes_done:
                bar.set_postfix_str(f"{bits / bytes_done:.3f} bits/byte", refresh=False)

        yield update
