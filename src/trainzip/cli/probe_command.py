"""`trainzip probe DATA.npz`: the MDL (online code) of labels given features, over seeds."""

from __future__ import annotations

import json
import os

import click

from trainzip.cli.files import STDIO, ensure_can_write, publish, read_input
from trainzip.cli.options import ray_option, workers_option
from trainzip.errors import TrainzipError

CONTROL_SEED = 20_200_330
"""Fixed seed of the control task (the shuffle, or the clusters and their labels), so a control is the same task on every run."""
PROBE_KINDS = ("linear", "mlp")


class _SeveralValues(click.Option):
    """An option that takes every value after it that is one of its choices: ``--probe linear mlp``
    (as well as ``--probe linear --probe mlp``); anything else after it stays an argument."""

    def add_to_parser(self, parser, ctx):
        result = super().add_to_parser(parser, ctx)
        for name in self.opts:
            parsed = parser._long_opt.get(name) or parser._short_opt.get(name)
            if parsed is not None:
                take_one = parsed.process

                def take_all(value, state, take_one=take_one):
                    take_one(value, state)
                    while state.rargs and state.rargs[0] in PROBE_KINDS:
                        take_one(state.rargs.pop(0), state)

                parsed.process = take_all
        return result


@click.command("probe", short_help="MDL probing: online code length of labels given features.")
@click.argument("data", metavar="DATA.npz")
@click.option("--probe", "probe_kinds", cls=_SeveralValues, type=click.Choice(PROBE_KINDS), multiple=True,
              default=("linear",), show_default=True,
              help="Probe retrained before each block: a linear map or a one-hidden-layer MLP. Several "
                   "(--probe linear mlp) add the switch code over them beside each probe's code.")
@click.option("--schedule", type=click.Choice(["voita", "doubling"]), default="voita", show_default=True,
              help="Blocks: Voita & Titov's 0.1%..100% fractions, or Blier & Ollivier's doubling from 8.")
@click.option("--seeds", type=click.IntRange(min=1), default=3, show_default=True,
              help="Run seeds 0..SEEDS-1 (data order, initial weights, holdout) and report mean and std.")
@click.option("--control", is_flag=True, help="Replace the labels by a control task (see --control-task).")
@click.option("--control-task", type=click.Choice(["shuffle", "clusters", "inputs"]), default="shuffle",
              show_default=True,
              help="With --control: shuffle the labels, or give each k-means cluster of the inputs (clusters) or "
                   "each distinct input (inputs) one fixed random label (Hewitt & Liang's control tasks).")
@click.option("--control-clusters", type=click.IntRange(min=1), default=50, show_default=True,
              help="With --control-task clusters: how many k-means clusters.")
@click.option("--final-model", is_flag=True,
              help="Also code all labels with a probe trained on all of them: regret and bits absorbed.")
@click.option("--json", "as_json", is_flag=True, help="Print the run record as JSON instead of a table.")
@click.option("--plot", metavar="OUT.png", help="Also draw the run (png, svg or pdf, by extension).")
@click.option("--threads", type=click.IntRange(min=1), default=1, show_default=True, help="PyTorch threads.")
@workers_option
@ray_option
@click.option("-f", "--force", is_flag=True, help="Overwrite the plot if it exists.")
def command(data, probe_kinds, schedule, seeds, control, control_task, control_clusters, final_model, as_json, plot,
            threads, workers, ray_address, force):
    """Code the labels y of DATA.npz given its features X, block by block (MDL probing).

    The first block is sent with the uniform code; each later block with a probe trained from
    scratch on all blocks before it. Reports the uniform code, the online code and their ratio
    (compression), in bits, with the spread over seeds; and the universal code (a switch over the
    probes, the uniform code and the labels' KT marginal), at most log2 M + log2 N bits over uniform.
    """
    plot_format = _plot_format(plot) if plot else None
    if plot:
        ensure_can_write(plot, force)
    from trainzip.engine import make_executor

    with make_executor(workers=workers, ray_address=ray_address) as executor:
        control_spec = (control_task, control_clusters) if control else None
        record = _run(data, tuple(dict.fromkeys(probe_kinds)), schedule, seeds, control_spec, final_model, threads,
                      executor)
    click.echo(json.dumps(record, indent=2) if as_json else _table(record))
    if plot:
        from trainzip.reports import expand, load_record, render_report

        publish(plot, render_report(expand(load_record(record, _name(data))), plot_format), force)


def _run(data: str, probe_kinds: tuple[str, ...], schedule: str, seeds: int, control: tuple[str, int] | None,
         final_model: bool, threads: int, executor) -> dict:
    """Load the data, run every seed (of every probe, on ``executor``), and return the run record.

    ``control``: (task, clusters) of the control task that replaces the labels, or None.
    """
    from trainzip.numerics import use_threads
    from trainzip.probing import (TrainingConfig, compare_probes, comparison_record, control_labels,
                                  online_codelength_seeds, probe_record)
    from trainzip.probing.data import load_npz

    features, labels, _ = load_npz(read_input(data), _name(data))
    if control is not None:
        labels = control_labels(features, labels, control[0], CONTROL_SEED, clusters=control[1])
    use_threads(threads)
    name = _name(data) + (f" (control: {_CONTROL_NAMES[control[0]]})" if control else "")
    config = TrainingConfig(probe=probe_kinds[0])
    options = dict(schedule=schedule, final_model=final_model, executor=executor, threads=threads)
    if len(probe_kinds) > 1:
        comparison = compare_probes(features, labels, probe_kinds, seeds=range(seeds), config=config, **options)
        record = comparison_record(comparison, data=name, config=config)
    else:
        spread = online_codelength_seeds(features, labels, seeds=range(seeds), probe=probe_kinds[0], config=config,
                                         **options)
        record = probe_record(spread, data=name, config=config)
    record["control"] = control is not None
    if control is not None:
        record["control_task"] = {"task": control[0], "seed": CONTROL_SEED,
                                  "clusters": control[1] if control[0] == "clusters" else None}
    return record


_CONTROL_NAMES = {"shuffle": "shuffled labels", "clusters": "a random label per input cluster",
                  "inputs": "a random label per distinct input"}


def _table(record: dict) -> str:
    """The people's version of the record."""
    from trainzip.probing.table import probe_table, switch_table

    return switch_table(record) if "switch" in record else probe_table(record)


def _plot_format(path: str) -> str:
    """png, svg or pdf, from the plot's file name."""
    extension = os.path.splitext(path)[1].lower().lstrip(".")
    if path == STDIO or extension not in ("png", "svg", "pdf"):
        raise TrainzipError(f"{path}: --plot writes .png, .svg or .pdf files")
    return extension


def _name(path: str) -> str:
    """The data's name for titles: its file name, or 'stdin'."""
    return "stdin" if path == STDIO else os.path.basename(path)
