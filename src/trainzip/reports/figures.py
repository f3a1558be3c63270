"""The figure of a run: code length over training, cumulative bits, and bits absorbed.

Three panels share one x axis (symbols seen, so runs of different step sizes line up):

1. code length per symbol in each step, against the uniform code and the final model;
2. the cumulative code length, against the same two, and classical compressors where recorded;
3. bits saved against the uniform code so far, against what the final model absorbed; the gap
   at the end is the regret.

Built on a bare matplotlib Figure (no pyplot, no global state), so it is safe in any process.
"""

from __future__ import annotations

import dataclasses
import io

import numpy as np
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from trainzip.reports import style
from trainzip.reports.records import RunRecord
from trainzip.reports.summary import headline, run_title


def run_figure(records: list[RunRecord], labels: list[str] | None = None) -> Figure:
    """The three-panel figure of one run, or of several runs overlaid (e.g. a task and its control)."""
    if labels:
        records = named(records, labels)
    labels = labels or [_default_label(record, len(records)) for record in records]
    with rc_context(style.RC_PARAMS):
        figure = Figure(figsize=(11.5, 10.2), layout="constrained")
        axes = figure.subplots(3, 1, sharex=True)
        log_x = any(_wants_log_x(record) for record in records)
        for index, (record, label) in enumerate(zip(records, labels)):
            color = style.RUN_COLORS[index % len(style.RUN_COLORS)]
            x = _x_edges(record, log_x)
            _rate_panel(axes[0], record, x, label, color)
            _cumulative_panel(axes[1], record, x, label, color)
            _absorbed_panel(axes[2], record, x, label, color)
        _finish_axes(axes, records, log_x)
        figure.suptitle(run_title(records) + "\n" + headline(records), x=0.01, ha="left", fontsize=11.5)
    return figure


def named(records: list[RunRecord], labels: list[str]) -> list[RunRecord]:
    """The records renamed to the given labels (for legends, titles and tables)."""
    return [dataclasses.replace(record, name=label) for record, label in zip(records, labels)]


def figure_png(figure: Figure) -> bytes:
    """The figure as PNG bytes (for a file, or to embed in a page)."""
    return figure_bytes(figure, "png")


def figure_bytes(figure: Figure, image_format: str) -> bytes:
    """The figure in any format matplotlib writes (png, svg, pdf)."""
    buffer = io.BytesIO()
    with rc_context(style.RC_PARAMS):
        figure.savefig(buffer, format=image_format)
    return buffer.getvalue()


def _rate_panel(ax, record: RunRecord, x, label: str, color: str) -> None:
    """Panel 1: bits per symbol in each step, with its spread over seeds where known."""
    rate = record.bits_per_symbol
    ax.stairs(rate, x, color=color, linewidth=2, label=label, baseline=None)
    if record.bits_std is not None and np.any(record.bits_std > 0):
        spread = record.bits_std / np.maximum(record.samples, 1)
        ax.stairs(rate + spread, x, baseline=rate - spread, fill=True, color=color, alpha=0.18, label="± 1 std over seeds")
    n = record.total("samples")
    if np.all(np.isfinite(record.uniform_bits)):
        ax.stairs(record.uniform_bits / np.maximum(record.samples, 1), x, color=style.UNIFORM_COLOR, linestyle="--",
                  linewidth=1.3, baseline=None, label=f"uniform code ({record.total('uniform_bits') / n:.3g} {style.rate_label(record.symbol)})")
    final = record.total("final_model_bits")
    if final is not None:
        ax.axhline(final / n, color=style.FINAL_COLOR, linestyle=":", linewidth=1.5,
                   label=f"final model ({final / n:.3g} {style.rate_label(record.symbol)})")
    if record.kind == "compress" and record.raw.get("output_bytes") is not None:
        ax.axhline(8 * record.raw["output_bytes"] / n, color=color, linestyle="--", linewidth=1,
                   label=f"{_run_name(label)}, whole file ({8 * record.raw['output_bytes'] / n:.3f} bits per byte)")
    for (name, size_bytes), baseline_color in zip(_baselines(record), style.BASELINE_COLORS):
        ax.axhline(8 * size_bytes / n, color=baseline_color, linestyle="-.", linewidth=1.3,
                   label=f"{name} ({8 * size_bytes / n:.3f} bits per byte)")


def _cumulative_panel(ax, record: RunRecord, x, label: str, color: str) -> None:
    """Panel 2: total code length so far, against the uniform code and the final model."""
    scale, _ = _bits_scale_for(record)
    marker = "o" if len(record.samples) <= 40 else None
    ax.plot(x, record.cumulative_bits / scale, color=color, linewidth=2, marker=marker, markersize=3.5, label=label)
    if np.all(np.isfinite(record.uniform_bits)):
        ax.plot(x, record.cumulative_uniform_bits / scale, color=style.UNIFORM_COLOR, linestyle="--", linewidth=1.3,
                label="uniform code")
    final = record.total("final_model_bits")
    if final is not None:
        ax.plot(x, final / scale * record.edges / record.edges[-1], color=style.FINAL_COLOR, linestyle=":", linewidth=1.5,
                label="final model (its total, spread evenly)")
    for (name, size_bytes), baseline_color in zip(_baselines(record), style.BASELINE_COLORS):
        ax.plot([x[-1]], [8 * size_bytes / scale], marker="D", linestyle="none", color=baseline_color, label=name)


def _absorbed_panel(ax, record: RunRecord, x, label: str, color: str) -> None:
    """Panel 3: bits saved against the uniform code so far; what the final model absorbed; the regret."""
    if not np.all(np.isfinite(record.uniform_bits)):
        return
    scale, unit = _bits_scale_for(record)
    saved = (record.cumulative_uniform_bits - record.cumulative_bits) / scale
    ax.plot(x, saved, color=color, linewidth=2, label=f"{_run_name(label)}: saved against uniform")
    absorbed, regret = record.total("absorbed_bits"), record.total("regret_bits")
    if absorbed is not None:
        ax.axhline(absorbed / scale, color=style.FINAL_COLOR, linestyle=":", linewidth=1.5,
                   label=f"absorbed by the final model ({absorbed / scale:,.1f} {unit})")
        if regret is not None:
            ax.annotate("", xy=(x[-1], absorbed / scale), xytext=(x[-1], saved[-1]),
                        arrowprops={"arrowstyle": "<->", "color": color, "linewidth": 1.2})
            ax.annotate(f"regret {regret / scale:,.1f} {unit}", xy=(x[-1], (absorbed / scale + saved[-1]) / 2),
                        xytext=(-8, 0), textcoords="offset points", ha="right", va="center", color=color, fontsize=9)
    for (name, size_bytes), baseline_color in zip(_baselines(record), style.BASELINE_COLORS):
        ax.plot([x[-1]], [(record.total("uniform_bits") - 8 * size_bytes) / scale], marker="D", linestyle="none",
                color=baseline_color, label=name)
    ax.axhline(0, color=style.UNIFORM_COLOR, linewidth=0.8)


def _finish_axes(axes, records: list[RunRecord], log_x: bool) -> None:
    """Titles, labels with units, limits and legends of the three panels."""
    symbol = records[0].symbol
    _, unit = _bits_scale_for(records[0])
    axes[0].set_title("Code length over training")
    axes[0].set_ylabel(style.rate_label(symbol))
    axes[0].set_ylim(0, _rate_top(records))
    axes[1].set_title("Cumulative code length")
    axes[1].set_ylabel(unit)
    axes[1].set_ylim(bottom=0)
    axes[2].set_title("Bits absorbed: saved against the uniform code")
    axes[2].set_ylabel(unit)
    axes[2].set_xlabel(style.x_label(symbol) + (" (log scale)" if log_x else ""))
    if log_x:
        axes[2].set_xscale("log")
    thousands = FuncFormatter(lambda value, _: f"{value:,.0f}" if abs(value) >= 1000 else f"{value:g}")
    if not log_x:
        axes[2].xaxis.set_major_formatter(thousands)
    for ax in axes[1:]:
        ax.yaxis.set_major_formatter(thousands)
    for ax in axes:
        handles, texts = ax.get_legend_handles_labels()
        unique: dict = {}
        for text, handle in zip(texts, handles):  # runs overlaid share the uniform code: list it once
            unique.setdefault(text, handle)
        ax.legend(unique.values(), unique.keys(), loc="upper left", bbox_to_anchor=(1.01, 1.0))  # beside the axes


def _rate_top(records: list[RunRecord]) -> float:
    """Upper y limit of panel 1: all of the data, but no more than twice the uniform rate."""
    top = max(float(np.nanmax(_upper_rate(record))) for record in records)
    uniform = [record.total("uniform_bits") / record.total("samples") for record in records
               if np.all(np.isfinite(record.uniform_bits))]
    if uniform:
        top = min(max(top, max(uniform)), 2 * max(uniform))
    return 1.08 * top if top > 0 else 1.0


def _upper_rate(record: RunRecord) -> np.ndarray:
    """Bits per symbol of each step plus one std over seeds where the record has it (the band's top)."""
    spread = record.bits_std if record.bits_std is not None else 0.0
    return (record.bits + spread) / np.maximum(record.samples, 1)


def _x_edges(record: RunRecord, log_x: bool) -> np.ndarray:
    """Step boundaries on the x axis; on a log axis the start at 0 moves to half the first step."""
    edges = record.edges.astype(np.float64)
    if log_x:
        edges[0] = max(edges[1] / 2, 0.5)
    return edges


def _wants_log_x(record: RunRecord) -> bool:
    """A log axis when steps span orders of magnitude (the probe schedules grow geometrically)."""
    edges = record.edges
    return record.kind == "probe" and edges[-1] / max(edges[1], 1) > 50


def _bits_scale_for(record: RunRecord) -> tuple[float, str]:
    """bits, kbit or Mbit, chosen by the largest cumulative figure."""
    return style.bits_scale(max(record.total("uniform_bits") or 0, record.total("bits") or 0))


def _baselines(record: RunRecord) -> list[tuple[str, float]]:
    """Classical compressors' output sizes in bytes, from a compress record's ``baselines``."""
    baselines = record.raw.get("baselines") or {}
    return [(str(name), float(size)) for name, size in baselines.items() if size is not None]


def _default_label(record: RunRecord, n_records: int) -> str:
    """Legend name of a run: its kind alone, or its file name when several are overlaid."""
    if n_records > 1:
        return record.name
    return {"probe": "online code", "compress": "trainzip, per chunk", "prequential": "prequential code"}[record.kind]


def _run_name(label: str) -> str:
    """The legend name without its ', per chunk' qualifier, for whole-file figures."""
    return label.replace(", per chunk", "")
