"""`trainzip limits`: every code against its limit on sources of known entropy rate."""

from __future__ import annotations

import dataclasses
import json
import os

import click

from trainzip.cli.files import ensure_can_write, publish
from trainzip.errors import TrainzipError


def _levels(value: str) -> tuple[str, ...]:
    """'fast,default' -> ('fast', 'default'); '' or 'none' -> ()."""
    return tuple(level for level in value.split(",") if level and level != "none")


@click.command("limits")
@click.option("--max-n", type=int, default=10**6, show_default=True,
              help="Largest prefix for the source and KT rows (n runs over powers of ten from 1000).")
@click.option("--codec-max-n", type=int, default=10**5, show_default=True,
              help="Largest prefix trainzip's codec is run on (it is far slower than KT).")
@click.option("--levels", default="fast,default", show_default=True,
              help="Comma-separated codec levels to measure; 'none' for KT only.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seeds the sources and their samples.")
@click.option("--json", "as_json", is_flag=True, help="Print the rows as a JSON list instead of a table.")
@click.option("--markdown", is_flag=True, help="Print the table as Markdown (as in docs/limits.md).")
@click.option("--plot-dir", type=click.Path(file_okay=False), default=None,
              help="Write bits_per_symbol.png, regret.png and coder_overhead.png here.")
@click.option("--force", is_flag=True, help="Overwrite existing plots.")
def command(max_n, codec_max_n, levels, seed, as_json, markdown, plot_dir, force) -> None:
    """Code sources of known entropy rate with KT and trainzip; report bits, regret and coder overhead."""
    from trainzip.limits.experiment import coder_overhead, measure_limits, regret_curves
    from trainzip.limits.table import format_markdown, format_overhead, format_table

    if max_n < 1000:
        raise TrainzipError("--max-n must be at least 1000")
    names = ("bits_per_symbol.png", "regret.png", "coder_overhead.png")
    if plot_dir is not None and os.path.isdir(plot_dir):  # else it is made below, empty
        for name in names:
            ensure_can_write(os.path.join(plot_dir, name), force)
    say = (lambda line: click.echo(f"limits: {line}", err=True))
    rows = measure_limits(max_n=max_n, codec_max_n=codec_max_n, levels=_levels(levels), seed=seed, progress=say)
    if as_json:
        click.echo(json.dumps([dataclasses.asdict(row) for row in rows], indent=1))
    elif markdown:
        click.echo(format_markdown(rows))
    else:
        click.echo(format_table(rows))
        click.echo()
        click.echo(format_overhead(coder_overhead(rows)))
    if plot_dir is not None:
        from trainzip.limits.plots import render_all

        os.makedirs(plot_dir, exist_ok=True)
        for name, data in render_all(rows, regret_curves(max_n=max_n, seed=seed)).items():
            publish(os.path.join(plot_dir, name), data, force)
