"""One look for every trainzip figure: colours, fonts, and axis labels that carry their units."""

from __future__ import annotations

RUN_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
"""Okabe-Ito colours (readable with colour-blindness), one per run drawn."""

UNIFORM_COLOR = "#7f7f7f"
FINAL_COLOR = "#000000"
BASELINE_COLORS = ("#E69F00", "#CC79A7", "#56B4E9", "#F0E442", "#999999")

RC_PARAMS = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.25,
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    "legend.fontsize": 9,
    "figure.dpi": 110,
    "savefig.dpi": 130,
    "savefig.bbox": "tight",
}

_X_LABELS = {"sample": "samples seen", "token": "tokens seen", "byte": "input bytes seen"}


def x_label(symbol: str) -> str:
    """The x axis of a run: how far training has got, in its own symbols."""
    return _X_LABELS[symbol]


def rate_label(symbol: str) -> str:
    """Units of a per-symbol code length: bits per sample, per token or per byte."""
    return f"bits per {symbol}"


def bits_scale(max_bits: float) -> tuple[float, str]:
    """(divisor, unit) that keeps bit axes readable: bits, kbit (1,000 bits) or Mbit."""
    if max_bits >= 2e6:
        return 1e6, "Mbit"
    if max_bits >= 2e4:
        return 1e3, "kbit"
    return 1.0, "bits"
