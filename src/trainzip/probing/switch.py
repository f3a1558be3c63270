"""Several probes on the same stream, and the switch code over them (Blier & Ollivier 2018).

Every probe codes the same samples in the same order (one seed orders the data for all of them),
so their per-sample bits line up and `trainzip.switching.switch_code` mixes them sample by
sample: a linear probe that learns fast can code the first blocks and an MLP the later ones, and
the switch code pays for that only a few bits. Its record sits beside each probe's record.
The universal code (`trainzip.probing.universal`) adds the uniform code and the KT marginal to
the experts, so that it never costs more than log2 M + log2 N bits over the uniform code either.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from trainzip.probing.online_code import ProbeResult, online_codelength
from trainzip.probing.record import probe_record
from trainzip.probing.seeds import SeedSpread, _mean_std, run_seeds
from trainzip.probing.training import TrainingConfig
from trainzip.probing.universal import universal_code, universal_keys
from trainzip.record_format import RECORD_FORMAT
from trainzip.switching import SwitchCode, switch_code


@dataclass(frozen=True)
class ProbeComparison:
    """Each probe's runs over the seeds, and the switch code of each seed."""

    probes: tuple[str, ...]
    spreads: tuple[SeedSpread, ...]
    switches: tuple[SwitchCode, ...]
    universals: tuple[SwitchCode, ...] = ()  # per seed: over the probes, the uniform code and the KT marginal

    @property
    def switch_bits(self) -> tuple[float, float]:
        """(mean, std) of the switch code over seeds."""
        return _mean_std([code.bits for code in self.switches])


def compare_probes(features, labels, probes: Sequence[str] = ("linear", "mlp"), seeds: Sequence[int] = (0, 1, 2),
                   *, config: TrainingConfig | None = None, executor=None, threads: int | None = None,
                   **options) -> ProbeComparison:
    """Every probe on every seed, and the switch code over the probes for each seed (the seeds on
    ``executor`` where one is given, see `online_codelength_seeds`)."""
    if len(probes) < 2 or len(set(probes)) != len(probes):
        raise ValueError(f"a switch code needs at least two different probes, got {list(probes)}")
    if not seeds:
        raise ValueError("need at least one seed")
    work = functools.partial(probes_seed_run, features, labels, probes=tuple(probes), config=config, options=options)
    runs = run_seeds(work, seeds, executor=executor, threads=threads)
    spreads = tuple(SeedSpread(tuple(results[i] for results, _ in runs)) for i in range(len(probes)))
    universals = tuple(_universal(results) for results, _ in runs)
    return ProbeComparison(tuple(probes), spreads, tuple(code for _, code in runs), universals)


def _universal(results: tuple[ProbeResult, ...]) -> SwitchCode:
    """One seed's universal code over its probes (every probe coded the same labels in the same order)."""
    first = results[0]
    return universal_code({result.probe: result.sample_bits for result in results}, first.coded_labels,
                          first.n_classes)


def probes_seed_run(features, labels, seed: int, probes: tuple[str, ...], config: TrainingConfig | None,
                    options: dict) -> tuple[tuple[ProbeResult, ...], SwitchCode]:
    """One seed: every probe's online code and their switch code (top-level, so a pool can pickle it)."""
    base = config or TrainingConfig()
    results = tuple(online_codelength(features, labels, probe, seed=seed,
                                      config=dataclasses.replace(base, probe=probe), **options) for probe in probes)
    return results, switch_code({result.probe: result.sample_bits for result in results})


def comparison_record(comparison: ProbeComparison, *, data: str | None = None,
                      config: TrainingConfig | None = None) -> dict:
    """The run record of the switch code (kind probe), with each probe's own record under ``probes``."""
    base = config or TrainingConfig()
    records = {name: probe_record(spread, data=data, config=dataclasses.replace(base, probe=name))
               for name, spread in zip(comparison.probes, comparison.spreads)}
    first = comparison.spreads[0].runs[0]
    block_bits = _block_bits(comparison)
    mean, std = comparison.switch_bits
    uniform = comparison.spreads[0].uniform_bits
    steps = [{"step": i, "samples": b.samples, "bits": float(bits.mean()), "bits_std": _std(bits),
              "uniform_bits": b.uniform_bits} for i, (b, bits) in enumerate(zip(first.blocks, block_bits))]
    best = min(records, key=lambda name: records[name]["online_bits"])
    switch = {
        "probes": list(comparison.probes), "bits": mean, "bits_std": std, "best_probe": best,
        "best_probe_bits": records[best]["online_bits"],
        "switching_cost_bits": float(np.mean([code.switching_cost_bits for code in comparison.switches])),
        "saving_bits": float(np.mean([code.saving_bits for code in comparison.switches])),
        "leader_by_block": _leaders(comparison),
        "seeds": [{"seed": run.seed, **code.to_dict()} for run, code in zip(comparison.spreads[0].runs,
                                                                             comparison.switches)],
    }
    where = f" on {data}" if data else ""
    return {
        "format": RECORD_FORMAT, "kind": "probe", "unit": "bits", "symbol": "sample",
        "title": (f"Switch code{where} over the {', '.join(comparison.probes)} probes, {first.schedule} schedule, "
                  f"{first.n_samples} samples, {len(comparison.switches)} seed{'s' * (len(comparison.switches) > 1)}"),
        "data": data, "probe": "switch", "schedule": first.schedule, "n_samples": first.n_samples,
        "n_classes": first.n_classes, "steps": steps,
        "totals": {"samples": first.n_samples, "bits": mean, "uniform_bits": uniform, "final_model_bits": None,
                   "regret_bits": None, "absorbed_bits": None},
        "uniform_bits": uniform, "online_bits": mean, "online_bits_std": std,
        "compression": float(np.mean([uniform / code.bits for code in comparison.switches])),
        "compression_std": _std(np.array([uniform / code.bits for code in comparison.switches])),
        "seeds": [{"seed": run.seed, "online_bits": code.bits} for run, code in zip(comparison.spreads[0].runs,
                                                                                     comparison.switches)],
        "switch": switch, "probes": records,
        **(universal_keys(list(comparison.universals), uniform) if comparison.universals else {}),
    }


def _block_bits(comparison: ProbeComparison) -> list[np.ndarray]:
    """Per block, the switch code's bits of each seed (units are samples; blocks are the probes')."""
    blocks = comparison.spreads[0].runs[0].blocks
    return [np.array([code.unit_bits[block.start:block.end].sum() for code in comparison.switches]) for block in blocks]


def _leaders(comparison: ProbeComparison) -> list[dict]:
    """Per block, the probe that coded it in fewer bits on most seeds (where the better model changes)."""
    rows = []
    for index, block in enumerate(comparison.spreads[0].runs[0].blocks):
        bits = {name: float(np.mean([run.blocks[index].bits for run in spread.runs]))
                for name, spread in zip(comparison.probes, comparison.spreads)}
        rows.append({"block": block.index, "start": block.start, "end": block.end,
                     "leader": min(bits, key=bits.get), "bits": bits})
    return rows


def _std(values: np.ndarray) -> float:
    return float(np.std(values, ddof=1)) if len(values) > 1 else 0.0
