"""The universal online code: a switch code over the probes, the uniform code and the labels' KT marginal.

A probe that learns from noise is confidently wrong on the next block, so its online code can
cost more than the uniform code (shuffled labels on digits: 9-16 % more). A code should never
lose more than O(log N) bits to uniform. Here each sample is coded by the switch code
(`trainzip.switching`) over experts whose probabilities are all known before its label is seen:

- each probe, trained on the blocks before the sample's block (its plain online code);
- the uniform code, log2 K bits per sample;
- the labels' adaptive marginal: KT (add-1/2) counts of every label before this one, order 0.

The switch code's stated bound then gives, for N samples and M experts,

    universal code <= min(uniform code, KT code, each plain probe code) + log2 M + log2 N   (bits)

so with one probe (M = 3) it is never more than log2 3 + log2 N bits above the uniform code.
It is a real code: a decoder that retrains the same probes and counts the labels it has decoded
mixes the same experts the same way. All figures in bits.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from trainzip.limits.kt import kt_bits_per_symbol
from trainzip.switching import SwitchCode, switch_code

UNIFORM_EXPERT = "uniform"
KT_EXPERT = "kt"


def universal_code(probe_bits: Mapping[str, np.ndarray], labels: np.ndarray, n_classes: int) -> SwitchCode:
    """The switch code over the probes' per-sample bits, the uniform code and the KT marginal.

    Args:
        probe_bits: {probe name: (N,) bits of each sample under that probe's online code}.
        labels: (N,) labels in 0..K-1, in the order they are coded.
        n_classes: K.
    """
    clash = {UNIFORM_EXPERT, KT_EXPERT} & set(probe_bits)
    if clash:
        raise ValueError(f"probe names {sorted(clash)} are taken by the universal code's own experts")
    labels = np.asarray(labels, dtype=np.int64)
    experts = {name: np.asarray(bits, dtype=np.float64) for name, bits in probe_bits.items()}
    experts[UNIFORM_EXPERT] = np.full(len(labels), math.log2(n_classes))
    experts[KT_EXPERT] = kt_bits_per_symbol(labels, n_classes, 0)
    return switch_code(experts)


def universal_keys(codes: list[SwitchCode], uniform_bits: float) -> dict:
    """A record's universal keys over seeds: ``universal_bits`` and its std, and ``universal`` (the
    figures: compression, the bound over the uniform code, each expert's own code)."""
    summary = _summary(codes, uniform_bits)
    return {"universal_bits": summary["bits"], "universal_bits_std": summary["bits_std"], "universal": summary}


def _summary(codes: list[SwitchCode], uniform_bits: float) -> dict:
    """Mean and std of the universal code over seeds, its compression, its bound, each expert's code."""
    bits = np.array([code.bits for code in codes])
    std = float(bits.std(ddof=1)) if len(bits) > 1 else 0.0
    compression = uniform_bits / bits
    return {
        "experts": list(codes[0].names), "bits": float(bits.mean()), "bits_std": std,
        "compression": float(compression.mean()),
        "compression_std": float(compression.std(ddof=1)) if len(bits) > 1 else 0.0,
        "bound_over_uniform_bits": codes[0].switching_cost_bits,
        "expert_bits": {name: float(np.mean([code.model_bits[i] for code in codes]))
                        for i, name in enumerate(codes[0].names)},
    }
