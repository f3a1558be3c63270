"""The figure of a run: code length over training, cumulative bits, bits absorbed, online accuracy.

The panels share one x axis (symbols seen, so runs of different step sizes line up):

1. code length per symbol in each step, against the uniform code and the final model;
2. the cumulative code length, against the same two, and classical compressors where recorded;
3. bits saved against the uniform code so far, against what the final model absorbed; the gap
   at the end is the regret;
4. where a record has it, the online accuracy: how often the model's top prediction was right
   before it learned from the batch.

Overlaid runs each keep their colour in every line of theirs (final model included), and a line
style of their own. Long runs are binned and may be smoothed (`reports.series`).

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
from trainzip.reports.series import Series, series
from trainzip.reports.summary import headline, run_title

_LINE_STYLES = ("-", "--", "-.", (0, (1, 1)), (0, (5, 1, 1, 1)), (0, (3, 1, 1, 1, 1, 1)))


@dataclasses.dataclass(frozen=True)
class _Run:
    """One run as drawn: its record, curves, legend name, colour and line style."""

    record: RunRecord
    curves: Series
    label: str
    color: str
    dash: object
    overlaid: bool


def run_figure(records: list[RunRecord], labels: list[str] | None = None, *, smooth: int | None = None) -> Figure:
    """The figure of one run, or of several runs overlaid (e.g. a task and its control, or two models).

    Args:
        smooth: draw each run's per-step rate and accuracy over a trailing window of this many steps.
    """
    if labels:
        records = named(records, labels)
    labels = labels or [_default_label(record, len(records)) for record in records]
    runs = [_Run(record, series(record, smooth=smooth), label, style.RUN_COLORS[i % len(style.RUN_COLORS)],
                 _LINE_STYLES[i % len(_LINE_STYLES)] if len(records) > 1 else "-", len(records) > 1)
            for i, (record, label) in enumerate(zip(records, labels))]
    with_accuracy = any(run.curves.accuracy is not None for run in runs)
    with rc_context(style.RC_PARAMS):
        figure = Figure(figsize=(11.5, 13.0 if with_accuracy else 10.2), layout="constrained")
        axes = figure.subplots(4 if with_accuracy else 3, 1, sharex=True)
        log_x = any(_wants_log_x(record) for record in records)
        for run in runs:
            x = _x_edges(run.curves, log_x)
            _rate_panel(axes[0], run, x)
            _cumulative_panel(axes[1], run, x)
            _absorbed_panel(axes[2], run, x)
            if with_accuracy:
                _accuracy_panel(axes[3], run, x)
        _finish_axes(axes, records, log_x, smooth)
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


def _rate_panel(ax, run: _Run, x) -> None:
    """Panel 1: bits per symbol in each step, with its spread over seeds where known."""
    record, curves, color = run.record, run.curves, run.color
    ax.stairs(curves.rate, x, color=color, linewidth=2, linestyle=run.dash, label=run.label, baseline=None)
    if curves.spread is not None:
        ax.stairs(curves.rate + curves.spread, x, baseline=curves.rate - curves.spread, fill=True, color=color,
                  alpha=0.18, label="± 1 std over seeds")
    n = record.total("samples")
    unit = style.rate_label(record.symbol)
    if np.all(np.isfinite(curves.uniform_rate)):
        ax.stairs(curves.uniform_rate, x, color=style.UNIFORM_COLOR, linestyle="--", linewidth=1.3, baseline=None,
                  label=f"uniform code ({record.total('uniform_bits') / n:.3g} {unit})")
    final = record.total("final_model_bits")
    if final is not None:
        owner = f", {_run_name(run.label)}" if run.overlaid else ""
        ax.axhline(final / n, color=color if run.overlaid else style.FINAL_COLOR, linestyle=":", linewidth=1.5,
                   label=f"final model{owner} ({final / n:.3g} {unit})")
    if record.kind == "compress" and record.raw.get("output_bytes") is not None:
        ax.axhline(8 * record.raw["output_bytes"] / n, color=color, linestyle="--", linewidth=1,
                   label=f"{_run_name(run.label)}, whole file ({8 * record.raw['output_bytes'] / n:.3f} bits per byte)")
    for (name, size_bytes), baseline_color in zip(_baselines(record), style.BASELINE_COLORS):
        ax.axhline(8 * size_bytes / n, color=baseline_color, linestyle="-.", linewidth=1.3,
                   label=f"{name} ({8 * size_bytes / n:.3f} bits per byte)")


def _cumulative_panel(ax, run: _Run, x) -> None:
    """Panel 2: total code length so far, against the uniform code and the final model."""
    record, curves, color = run.record, run.curves, run.color
    scale, _ = _bits_scale_for(record)
    marker = "o" if len(curves.rate) <= 40 else None
    ax.plot(x, curves.cumulative_bits / scale, color=color, linewidth=2, linestyle=run.dash, marker=marker,
            markersize=3.5, label=run.label)
    if np.all(np.isfinite(curves.uniform_rate)):
        ax.plot(x, curves.cumulative_uniform_bits / scale, color=style.UNIFORM_COLOR, linestyle="--", linewidth=1.3,
                label="uniform code")
    final = record.total("final_model_bits")
    if final is not None:
        owner = f", {_run_name(run.label)}" if run.overlaid else ""
        ax.plot(x, final / scale * curves.edges / curves.edges[-1], color=color if run.overlaid else style.FINAL_COLOR,
                linestyle=":", linewidth=1.5, label=f"final model{owner} (its total, spread evenly)")
    for (name, size_bytes), baseline_color in zip(_baselines(record), style.BASELINE_COLORS):
        ax.plot([x[-1]], [8 * size_bytes / scale], marker="D", linestyle="none", color=baseline_color, label=name)


def _absorbed_panel(ax, run: _Run, x) -> None:
    """Panel 3: bits saved against the uniform code so far; what the final model absorbed; the regret."""
    record, curves, color = run.record, run.curves, run.color
    if not np.all(np.isfinite(curves.uniform_rate)):
        return
    scale, unit = _bits_scale_for(record)
    saved = (curves.cumulative_uniform_bits - curves.cumulative_bits) / scale
    ax.plot(x, saved, color=color, linewidth=2, linestyle=run.dash, label=f"{_run_name(run.label)}: saved against uniform")
    absorbed, regret = record.total("absorbed_bits"), record.total("regret_bits")
    if absorbed is not None:
        owner = f" ({_run_name(run.label)})" if run.overlaid else ""
        ax.axhline(absorbed / scale, color=color if run.overlaid else style.FINAL_COLOR, linestyle=":", linewidth=1.5,
                   label=f"absorbed by the final model{owner} ({absorbed / scale:,.1f} {unit})")
        if regret is not None:
            ax.annotate("", xy=(x[-1], absorbed / scale), xytext=(x[-1], saved[-1]),
                        arrowprops={"arrowstyle": "<->", "color": color, "linewidth": 1.2})
            ax.annotate(f"regret {regret / scale:,.1f} {unit}", xy=(x[-1], (absorbed / scale + saved[-1]) / 2),
                        xytext=(-8, 0), textcoords="offset points", ha="right", va="center", color=color, fontsize=9)
    for (name, size_bytes), baseline_color in zip(_baselines(record), style.BASELINE_COLORS):
        ax.plot([x[-1]], [(record.total("uniform_bits") - 8 * size_bytes) / scale], marker="D", linestyle="none",
                color=baseline_color, label=name)
    ax.axhline(0, color=style.UNIFORM_COLOR, linewidth=0.8)


def _accuracy_panel(ax, run: _Run, x) -> None:
    """Panel 4: online accuracy in each step (the top prediction, before learning), and over the run."""
    if run.curves.accuracy is None:
        return
    overall = run.record.accuracy
    ax.stairs(run.curves.accuracy, x, color=run.color, linewidth=2, linestyle=run.dash, baseline=None,
              label=f"{_run_name(run.label)} ({overall:.3f} over the run)")


def _finish_axes(axes, records: list[RunRecord], log_x: bool, smooth: int | None) -> None:
    """Titles, labels with units, limits and legends of the panels."""
    symbol = records[0].symbol
    _, unit = _bits_scale_for(records[0])
    axes[0].set_title("Code length over training" + (f" (each point: the last {smooth} steps)" if smooth else ""))
    axes[0].set_ylabel(style.rate_label(symbol))
    axes[0].set_ylim(0, _rate_top(records))
    axes[1].set_title("Cumulative code length")
    axes[1].set_ylabel(unit)
    axes[1].set_ylim(bottom=0)
    axes[2].set_title("Bits absorbed: saved against the uniform code")
    axes[2].set_ylabel(unit)
    if len(axes) > 3:
        axes[3].set_title("Online accuracy: top prediction right, before learning")
        axes[3].set_ylabel("accuracy")
        axes[3].set_ylim(0, 1.02)
    axes[-1].set_xlabel(style.x_label(symbol) + (" (log scale)" if log_x else ""))
    if log_x:
        axes[-1].set_xscale("log")
    thousands = FuncFormatter(lambda value, _: f"{value:,.0f}" if abs(value) >= 1000 else f"{value:g}")
    if not log_x:
        axes[-1].xaxis.set_major_formatter(thousands)
    for ax in axes[1:3]:
        ax.yaxis.set_major_formatter(thousands)
    for ax in axes:
        handles, texts = ax.get_legend_handles_labels()
        unique: dict = {}
        for text, handle in zip(texts, handles):  # runs overlaid share the uniform code: list it once
            unique.setdefault(text, handle)
        ax.legend(unique.values(), unique.keys(), loc="upper left", bbox_to_anchor=(1.01, 1.0))  # beside the axes


def _rate_top(records: list[RunRecord]) -> float:
    """Upper y limit of panel 1: all of the data, but no more than twice the uniform rate."""
    top = max(float(np.nanmax(_upper_rate(record), initial=0.0)) for record in records)
    uniform = [record.total("uniform_bits") / record.total("samples") for record in records
               if np.all(np.isfinite(record.uniform_bits))]
    if uniform:
        top = min(max(top, max(uniform)), 2 * max(uniform))
    return 1.08 * top if top > 0 else 1.0


def _upper_rate(record: RunRecord) -> np.ndarray:
    """Bits per symbol of each step plus one std over seeds where the record has it (the band's top)."""
    spread = record.bits_std if record.bits_std is not None else 0.0
    return (record.bits + spread) / np.maximum(record.samples, 1)


def _x_edges(curves: Series, log_x: bool) -> np.ndarray:
    """Step boundaries on the x axis; on a log axis the start at 0 moves to half the first step."""
    edges = curves.edges.astype(np.float64)
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
