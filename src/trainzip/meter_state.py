"""A meter's state as plain values for checkpoints, and its restoration on resume.

The state covers which samples were metered: every step's counts (so the resumed loop knows it
must continue at step ``batches``), the dataset indices where `update` was given them (so a
sample metered again is refused), and the world size (a resume on another number of ranks
shards the data differently, so it would meter some samples twice and skip others: refused).

Under torch.distributed the state holds the sums over all ranks, and only rank 0 takes them
back: the other ranks keep as many zero steps, so that the rows of every rank still line up and
the next sum over ranks counts the checkpoint's figures exactly once.
"""

from __future__ import annotations

import numpy as np

from trainzip import distributed
from trainzip.errors import ResumeError
from trainzip.meter_store import (EXAMPLE_COLUMNS, Figures, StepStore, pack_array, pack_coverage, unpack_array,
                                  unpack_coverage)

STATE_FORMAT = "trainzip.meter/2"
_SETTINGS = ("num_classes", "ignore_index", "symbol")
_V1_FIELDS = ("num_classes", "ignore_index", "symbol", "steps", "total_bits", "total_samples", "total_correct",
              "final_bits", "final_samples")  # what trainzip 0.6 checkpoints hold


def state_of(meter, view: Figures) -> dict:
    """The state of ``meter`` with the counts of ``view`` (the sums over every rank)."""
    examples = None
    if meter.keep_example_bits:
        examples = pack_array(meter._store.example_rows())  # collective, like the view
    return {
        "format": STATE_FORMAT, **{name: getattr(meter, name) for name in _SETTINGS},
        "world_size": view.world_size, "batches": int(len(view.bits)),
        "bits": view.bits.tolist(), "samples": view.samples.tolist(), "correct": view.correct.tolist(),
        "total_bits": float(view.bits.sum()), "total_samples": int(view.samples.sum()),
        "final_bits": view.final_bits, "final_samples": view.final_samples,
        "coverage": pack_coverage(view.coverage), "examples": examples,
    }


def load_state(meter, state: dict) -> None:
    """Put ``state`` into ``meter`` (rank 0 takes the counts, other ranks as many zero steps)."""
    if state.get("format") != STATE_FORMAT:
        state = _from_v1(state)
    missing = [name for name in (*_SETTINGS, "bits", "samples", "correct", "final_bits", "final_samples")
               if name not in state]
    if missing:
        raise KeyError(f"meter state lacks {missing}")
    rank, world = distributed.rank_and_world()
    recorded_world = int(state.get("world_size", 1))
    if recorded_world != world:
        raise ResumeError(f"the checkpoint was metered on {recorded_world} rank(s) and this run has {world}: the data "
                          "would be sharded differently, so some samples would be metered twice and others never; "
                          "resume on as many ranks")
    for name in _SETTINGS:
        setattr(meter, name, state[name])
    store = StepStore(keep_examples=meter.keep_example_bits)
    keep = rank == 0  # the sums go to one rank only, or the next sum would count them world_size times
    store.bits = [float(value) if keep else 0.0 for value in state["bits"]]
    store.samples = [int(value) if keep else 0 for value in state["samples"]]
    store.correct = [int(value) if keep else 0 for value in state["correct"]]
    store.running = [sum(store.bits), sum(store.samples), sum(store.correct)]
    store.final_bits = float(state["final_bits"]) if keep else 0.0
    store.final_samples = int(state["final_samples"]) if keep else 0
    coverage = unpack_coverage(state.get("coverage"))
    store.coverage = coverage if keep or coverage is None else np.zeros(0, dtype=np.uint8)
    if state.get("examples") and keep and meter.keep_example_bits:
        store.examples = [unpack_array(state["examples"], len(EXAMPLE_COLUMNS))]
    meter._store = store


def _from_v1(state: dict) -> dict:
    """A trainzip 0.6 state (steps as dicts) in the current form; KeyError if it is neither."""
    missing = [name for name in _V1_FIELDS if name not in state]
    if missing:
        raise KeyError(f"meter state lacks {missing}")
    steps = state["steps"]
    correct = [0] * len(steps)  # 0.6 kept only the total of correct predictions: it goes on the last step
    if steps:
        correct[-1] = int(state["total_correct"])
    return {**{name: state[name] for name in _SETTINGS}, "world_size": 1,
            "bits": [step["bits"] for step in steps], "samples": [step["samples"] for step in steps],
            "correct": correct,
            "final_bits": state["final_bits"], "final_samples": state["final_samples"]}
