"""The limits figures: bits per symbol against the rate, regret against its bounds, coder overhead.

Figures are returned, not saved, so the CLI decides where and whether to overwrite. Matplotlib's
Agg backend is used so that no display is needed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from trainzip.limits.experiment import RegretCurve, Row  # noqa: E402

_COLOURS = plt.rcParams["axes.prop_cycle"].by_key()["color"]


def _sources(rows: Sequence[Row]) -> list[str]:
    """Source names in first-seen order."""
    return list(dict.fromkeys(row.source for row in rows))


def _grid(count: int, width: float = 5.2, height: float = 3.9):
    """A figure with one panel per source, two columns."""
    columns = min(2, count)
    lines = -(-count // columns)
    figure, axes = plt.subplots(lines, columns, figsize=(width * columns, height * lines), squeeze=False)
    for extra in axes.flat[count:]:
        extra.set_visible(False)
    return figure, list(axes.flat)


def plot_bits_per_symbol(rows: Sequence[Row]):
    """Per source: each learner's code length per symbol against n, with the entropy rate drawn in."""
    names = _sources(rows)
    figure, axes = _grid(len(names))
    for axis, name in zip(axes, names):
        mine = [row for row in rows if row.source == name]
        rate = mine[0].entropy_rate_bits
        axis.axhline(rate, color="black", linestyle="--", linewidth=1.2, label=f"entropy rate {rate:.3f}")
        for colour, learner in zip(_COLOURS, dict.fromkeys(row.learner for row in mine)):
            points = sorted((row.n, row.bits_per_symbol) for row in mine if row.learner == learner)
            style = dict(color="grey", linewidth=0.8, marker=".") if learner == "source" else dict(color=colour, marker="o")
            axis.plot(*zip(*points), label=learner, **style)
        axis.set_xscale("log")
        axis.set_title(f"{name} (H = {rate:.4f} bits/symbol)")
        axis.set_xlabel("n (symbols)")
        axis.set_ylabel("code length (bits/symbol)")
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=8)
    figure.suptitle("Code length per symbol against the entropy rate")
    figure.tight_layout()
    return figure


def plot_regret(curves: Sequence[RegretCurve]):
    """One panel per (source, KT order): regret against the best order-k model, and its bounds."""
    names = list(dict.fromkeys(curve.source for curve in curves))
    columns = max(sum(c.source == name for c in curves) for name in names)
    figure, axes = plt.subplots(len(names), columns, figsize=(5.4 * columns, 3.3 * len(names)), squeeze=False)
    for line, name in zip(axes, names):
        mine = [c for c in curves if c.source == name]
        for axis, colour, curve in zip(line, _COLOURS, mine):
            axis.fill_between(curve.n, curve.ml_bound_low_bits, curve.ml_bound_bits, color=colour, alpha=0.2,
                              label="exact KT band")
            axis.plot(curve.n, curve.vs_ml_bits, color=colour, linewidth=2, label="L_KT - L_ML")
            axis.plot(curve.n, curve.free_parameters / 2 * _log2(curve.n), color="black", linestyle="--",
                      linewidth=1, label=f"(k/2) log2 n, k = {curve.free_parameters}")
            if name.startswith(("iid", "markov")):
                axis.plot(curve.n, curve.vs_source_bits, color="grey", linestyle=":", label="L_KT - L_source")
            axis.set_xscale("log")
            axis.set_title(f"{name}, KT order {curve.order}", fontsize=10)
            axis.set_ylabel("regret (bits)")
            axis.grid(True, which="both", alpha=0.3)
            axis.legend(fontsize=7, loc="upper left")
        for axis in line[len(mine):]:
            axis.set_visible(False)
    for axis in axes[-1]:
        axis.set_xlabel("n (symbols)")
    figure.suptitle("KT regret against n: (k/2) log2 n and the exact pointwise KT bounds")
    figure.tight_layout()
    return figure


def _log2(values):
    """log2 of an array of prefix lengths, as floats."""
    return np.log2(np.asarray(values, dtype=float))


def _family(learner: str) -> str:
    """'kt-order2' -> 'KT (any order)'; trainzip levels keep their names."""
    return "KT (any order)" if learner.startswith("kt-") else learner


def plot_coder_overhead(rows: Sequence[Row]):
    """Real payload bits minus the ideal sum of -log2 q, against n, one colour per learner family."""
    figure, (absolute, relative) = plt.subplots(1, 2, figsize=(11, 4))
    coded = [row for row in rows if row.coder_overhead_bits is not None]
    families = list(dict.fromkeys(_family(row.learner) for row in coded))
    for index, (colour, family) in enumerate(zip(_COLOURS, families)):
        mine = [row for row in coded if _family(row.learner) == family]
        shift = 1.12 ** (index - (len(families) - 1) / 2)  # spread families apart along the log axis
        n = [row.n * shift for row in mine]
        overhead = [row.coder_overhead_bits for row in mine]
        percent = [100 * row.coder_overhead_bits / (row.bits_per_symbol * row.n) for row in mine]
        marker = "o" if family.startswith("KT") else "s"
        absolute.scatter(n, overhead, color=colour, marker=marker, alpha=0.75, label=f"{family} ({len(mine)} runs)")
        relative.scatter(n, percent, color=colour, marker=marker, alpha=0.75)
    absolute.set_ylabel("payload bits - sum of -log2 q (bits)")
    relative.set_ylabel("overhead (% of the ideal code length)")
    relative.set_yscale("log")
    for axis in (absolute, relative):
        axis.set_xscale("log")
        axis.set_xlabel("n (symbols)")
        axis.grid(True, which="both", alpha=0.3)
    absolute.legend(fontsize=8)
    figure.suptitle("Range coder overhead: real payload bits against the ideal sum of -log2 q (all sources)")
    figure.tight_layout()
    return figure


def png_bytes(figure) -> bytes:
    """The figure as PNG bytes (and closes it, so a long run does not pile up figures)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    plt.close(figure)
    return buffer.getvalue()


def render_all(rows: Sequence[Row], curves: Sequence[RegretCurve]) -> dict[str, bytes]:
    """{file name: PNG bytes} for the three figures."""
    return {
        "bits_per_symbol.png": png_bytes(plot_bits_per_symbol(rows)),
        "regret.png": png_bytes(plot_regret(curves)),
        "coder_overhead.png": png_bytes(plot_coder_overhead(rows)),
    }
