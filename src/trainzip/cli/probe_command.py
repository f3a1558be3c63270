"""`trainzip probe DATA.npz`: the MDL (online code) of labels given features, over seeds."""

from __future__ import annotations

import json
import os

import click

from trainzip.cli.files import STDIO, ensure_can_write, publish, read_input
from trainzip.cli.options import ray_option, workers_option
from trainzip.errors import TrainzipError

CONTROL_SEED = 20_200_330
"""Fixed seed of the control task's label shuffle, so a control is the same task on every run."""


@click.command("probe", short_help="MDL probing: online code length of labels given features.")
@click.argument("data", metavar="DATA.npz")
@click.option("--probe", "probe_kind", type=click.Choice(["linear", "mlp"]), default="linear", show_default=True,
              help="Probe retrained before each block: a linear map or a one-hidden-layer MLP.")
@click.option("--schedule", type=click.Choice(["voita", "doubling"]), default="voita", show_default=True,
              help="Blocks: Voita & Titov's 0.1%..100% fractions, or Blier & Ollivier's doubling from 8.")
@click.option("--seeds", type=click.IntRange(min=1), default=3, show_default=True,
              help="Run seeds 0..SEEDS-1 (data order, initial weights, holdout) and report mean and std.")
@click.option("--control", is_flag=True, help="Shuffle the labels first (a control task with the same label counts).")
@click.option("--final-model", is_flag=True,
              help="Also code all labels with a probe trained on all of them: regret and bits absorbed.")
@click.option("--json", "as_json", is_flag=True, help="Print the run record as JSON instead of a table.")
@click.option("--plot", metavar="OUT.png", help="Also draw the run (png, svg or pdf, by extension).")
@click.option("--threads", type=click.IntRange(min=1), default=1, show_default=True, help="PyTorch threads.")
@workers_option
@ray_option
@click.option("-f", "--force", is_flag=True, help="Overwrite the plot if it exists.")
def command(data, probe_kind, schedule, seeds, control, final_model, as_json, plot, threads, workers, ray_address,
            force):
    """Code the labels y of DATA.npz given its features X, block by block (MDL probing).

    The first block is sent with the uniform code; each later block with a probe trained from
    scratch on all blocks before it. Reports the uniform code, the online code and their ratio
    (compression), in bits, with the spread over seeds.
    """
    plot_format = _plot_format(plot) if plot else None
    if plot:
        ensure_can_write(plot, force)
    from trainzip.engine import make_executor

    with make_executor(workers=workers, ray_address=ray_address) as executor:
        record = _run(data, probe_kind, schedule, seeds, control, final_model, threads, executor)
    click.echo(json.dumps(record, indent=2) if as_json else _table(record))
    if plot:
        from trainzip.reports import load_record, render_report

        publish(plot, render_report([load_record(record, _name(data))], plot_format), force)


def _run(data: str, probe_kind: str, schedule: str, seeds: int, control: bool, final_model: bool, threads: int,
         executor) -> dict:
    """Load the data, run every seed, and return the run record."""
    import numpy as np

    from trainzip.numerics import use_threads
    from trainzip.probing import TrainingConfig, online_codelength_seeds, probe_record
    from trainzip.probing.data import load_npz

    features, labels, _ = load_npz(read_input(data), _name(data))
    if control:
        labels = np.random.default_rng(CONTROL_SEED).permutation(labels)
    use_threads(threads)
    config = TrainingConfig(probe=probe_kind)
    spread = online_codelength_seeds(features, labels, seeds=range(seeds), probe=probe_kind, schedule=schedule, config=config,
                                     final_model=final_model, executor=executor, threads=threads)
    name = _name(data) + (" (control: shuffled labels)" if control else "")
    record = probe_record(spread, data=name, config=config)
    record["control"] = control
    return record


def _table(record: dict) -> str:
    """The people's version of the record."""
    from trainzip.probing.table import probe_table

    return probe_table(record)


def _plot_format(path: str) -> str:
    """png, svg or pdf, from the plot's file name."""
    extension = os.path.splitext(path)[1].lower().lstrip(".")
    if path == STDIO or extension not in ("png", "svg", "pdf"):
        raise TrainzipError(f"{path}: --plot writes .png, .svg or .pdf files")
    return extension


def _name(path: str) -> str:
    """The data's name for titles: its file name, or 'stdin'."""
    return "stdin" if path == STDIO else os.path.basename(path)
