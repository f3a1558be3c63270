"""A probe run as a run record (format ``trainzip.run/1``, kind ``probe``), for --json and reports.

The record is the common run-record schema (one step per block, totals) plus the probe's own
keys: ``uniform_bits``, ``online_bits`` (mean over seeds) and its std, ``compression`` and its
std, ``blocks`` (the per-block table) and ``seeds`` (each seed's totals). Bits are floats in bits.

``online_bits`` is the plain probe's code, as it always was. Added beside it: ``universal_bits``
(and its std) and ``universal`` (`trainzip.probing.universal`: the switch code over the probe,
the uniform code and the KT marginal, with its bound over the uniform code), and per block and
per seed ``universal_bits``. Records written before these keys keep reading as they did.
"""

from __future__ import annotations

from dataclasses import asdict

from trainzip.probing.seeds import SeedSpread
from trainzip.probing.training import TrainingConfig
from trainzip.probing.universal import universal_keys
from trainzip.record_format import RECORD_FORMAT as RUN_FORMAT


def probe_record(spread: SeedSpread, *, data: str | None = None, config: TrainingConfig | None = None) -> dict:
    """The run record of a probe run over one or more seeds."""
    first = spread.runs[0]
    blocks = _blocks(spread)
    online_mean, online_std = spread.online_bits
    compression_mean, compression_std = spread.compression
    return {
        "format": RUN_FORMAT,
        "kind": "probe",
        "unit": "bits",
        "symbol": "sample",
        "title": _title(spread, data),
        "data": data,
        "probe": first.probe,
        "schedule": first.schedule,
        "n_samples": first.n_samples,
        "n_classes": first.n_classes,
        "steps": [
            {"step": b["block"] - 1, "samples": b["samples"], "bits": b["bits"], "bits_std": b["bits_std"],
             "uniform_bits": b["uniform_bits"]}
            for b in blocks
        ],
        "totals": _totals(spread),
        "uniform_bits": spread.uniform_bits,
        "online_bits": online_mean,
        "online_bits_std": online_std,
        "compression": compression_mean,
        "compression_std": compression_std,
        "blocks": blocks,
        "seeds": [{"seed": run.seed, "online_bits": run.online_bits, "compression": run.compression,
                   "final_model_bits": run.final_model_bits, "universal_bits": run.universal_bits}
                  for run in spread.runs],
        "training": asdict(config) if config is not None else None,
        **_universal(spread),
    }


def _universal(spread: SeedSpread) -> dict:
    """The universal code's keys (none for runs made without it)."""
    if any(run.universal is None for run in spread.runs):
        return {}
    return universal_keys([run.universal for run in spread.runs], spread.uniform_bits)


def _totals(spread: SeedSpread) -> dict:
    """The run-record totals: means over seeds; final-model figures only where they were measured."""
    online_mean, _ = spread.online_bits
    final = spread.final_model_bits
    final_mean = None if final is None else final[0]
    return {
        "samples": spread.runs[0].n_samples, "bits": online_mean, "uniform_bits": spread.uniform_bits,
        "final_model_bits": final_mean,
        "regret_bits": None if final is None else online_mean - final_mean,
        "absorbed_bits": None if final is None else spread.uniform_bits - final_mean,
    }


def _blocks(spread: SeedSpread) -> list[dict]:
    """The per-block table: where each block lies, what it cost (mean and std over seeds)."""
    rows = []
    universal = _universal_block_bits(spread)
    for index, (block, (mean_bits, std_bits)) in enumerate(zip(spread.runs[0].blocks, spread.block_bits())):
        rows.append({
            "block": block.index, "start": block.start, "end": block.end, "samples": block.samples,
            "trained_on": block.start, "bits": mean_bits, "bits_std": std_bits,
            "bits_per_sample": mean_bits / block.samples, "uniform_bits": block.uniform_bits,
            "code": "uniform" if block.start == 0 else "probe",
            **({} if universal is None else {"universal_bits": universal[index]}),
        })
    return rows


def _universal_block_bits(spread: SeedSpread) -> list[float] | None:
    """Each block's universal bits, mean over seeds (None for runs made without the universal code)."""
    per_seed = [run.universal_block_bits() for run in spread.runs]
    if any(bits is None for bits in per_seed):
        return None
    return [float(sum(bits) / len(bits)) for bits in zip(*per_seed)]


def _title(spread: SeedSpread, data: str | None) -> str:
    """What the run was, in one line: probe, schedule, data, seeds."""
    first = spread.runs[0]
    seeds = len(spread.runs)
    where = f" on {data}" if data else ""
    return (f"MDL probe{where}: {first.probe} probe, {first.schedule} schedule, "
            f"{first.n_samples} samples, {first.n_classes} classes, {seeds} seed{'s' if seeds > 1 else ''}")
