"""The online (prequential) code length of labels given features, block by block.

    block 1:        uniform code, n_1 * log2 K bits
    block k > 1:    train a fresh probe on blocks 1..k-1, code block k with it:
                    sum over the block of -log2 p(y | x)

The total is the online code length (Voita & Titov 2020; Blier & Ollivier 2018): the *plain*
probe's code, ``online_bits``. Beside it, ``universal_bits`` is the switch code over that probe,
the uniform code and the labels' KT marginal (`trainzip.probing.universal`), which never costs
more than log2 3 + log2 N bits over the uniform code. Held against the
uniform code, N log2 K, it gives the compression: how much structure about the labels the
features expose to this kind of probe. Only the labels are the message; the features are side
information both ends hold, which is why they may be standardised with their global statistics.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from trainzip.probing.probes import FittedProbe, ProbeTrainer, UniformProbe, build_network
from trainzip.block_schedules import block_ends
from trainzip.probing.training import TrainingConfig, train_probe
from trainzip.probing.universal import universal_code
from trainzip.switching import SwitchCode


@dataclass(frozen=True)
class BlockResult:
    """One block of the online code: samples [start, end) coded after training on [0, start)."""

    index: int
    start: int
    end: int
    bits: float
    uniform_bits: float

    @property
    def samples(self) -> int:
        """How many labels this block codes."""
        return self.end - self.start

    @property
    def bits_per_sample(self) -> float:
        """Mean code length of this block's labels."""
        return self.bits / self.samples


@dataclass(frozen=True)
class ProbeResult:
    """The online code of one run (one seed): its blocks and totals, all in bits."""

    probe: str
    schedule: str
    seed: int
    n_samples: int
    n_classes: int
    blocks: tuple[BlockResult, ...]
    final_model_bits: float | None = None
    sample_bits: np.ndarray | None = field(default=None, compare=False, repr=False)  # (N,) in coding order
    universal: SwitchCode | None = field(default=None, compare=False, repr=False)  # over probe, uniform, KT
    coded_labels: np.ndarray | None = field(default=None, compare=False, repr=False)  # (N,) in coding order

    @property
    def universal_bits(self) -> float | None:
        """The universal code: the switch code over this probe, the uniform code and the KT marginal."""
        return None if self.universal is None else self.universal.bits

    def universal_block_bits(self) -> list[float] | None:
        """Each block's share of the universal code (its samples' bits under the switch code)."""
        if self.universal is None:
            return None
        return [float(self.universal.unit_bits[block.start:block.end].sum()) for block in self.blocks]

    @property
    def uniform_bits(self) -> float:
        """The uniform code of all labels: N log2 K."""
        return self.n_samples * math.log2(self.n_classes)

    @property
    def online_bits(self) -> float:
        """The online code: the uniform first block plus each later block under its probe."""
        return float(sum(block.bits for block in self.blocks))

    @property
    def compression(self) -> float:
        """Uniform code over online code: above 1 when the features tell the probe something."""
        return self.uniform_bits / self.online_bits

    @property
    def regret_bits(self) -> float | None:
        """Online code minus the final probe's code of the same labels (None if not measured)."""
        return None if self.final_model_bits is None else self.online_bits - self.final_model_bits

    @property
    def absorbed_bits(self) -> float | None:
        """Uniform code minus the final probe's code: what the probe learned, roughly (None if not measured)."""
        return None if self.final_model_bits is None else self.uniform_bits - self.final_model_bits


def online_codelength(
    features: np.ndarray,
    labels: np.ndarray,
    probe: str | ProbeTrainer = "linear",
    schedule: str | Sequence[int] = "voita",
    seed: int = 0,
    *,
    n_classes: int | None = None,
    shuffle: bool = True,
    config: TrainingConfig | None = None,
    final_model: bool = False,
) -> ProbeResult:
    """The online code length of ``labels`` given ``features`` under a probe retrained per block.

    Args:
        features: (N, d) features (standardised here with their own global mean and std).
        labels: (N,) integer labels in 0..K-1.
        probe: ``"linear"``, ``"mlp"``, or a trainer(features, labels, n_classes, seed) -> FittedProbe.
        schedule: ``"voita"``, ``"doubling"``, or explicit block ends (increasing, last = N).
        seed: orders the data (when ``shuffle``), and seeds each block's initial weights and holdout.
        n_classes: K; defaults to the largest label + 1.
        shuffle: code the samples in a seeded random order (data files are often sorted by class).
        config: the training budget of the built-in probes (its ``probe`` field is overridden).
        final_model: also train a probe on all N samples and code them with it (``final_model_bits``):
            the reference for regret and bits absorbed. Not a code the decoder could use, since it
            would need the model first; it costs one more training.

    Returns:
        A ProbeResult; ``online_bits``, ``uniform_bits`` and ``compression`` are its totals, and
        ``universal_bits`` the universal code over the probe, the uniform code and the KT marginal.
    """
    x, y, n_classes = _checked(features, labels, n_classes)
    if shuffle:
        order = np.random.default_rng(seed).permutation(len(y))
        x, y = x[order], y[order]
    ends = block_ends(schedule, len(y)) if isinstance(schedule, str) else _checked_ends(schedule, len(y))
    trainer, probe_name = _trainer(probe, config)
    blocks, sample_bits, start = [], [], 0
    for index, end in enumerate(ends, start=1):
        fitted = UniformProbe(n_classes) if start == 0 else trainer(x[:start], y[:start], n_classes, _block_seed(seed, index))
        block, bits = _code_block(fitted, x, y, index, start, end, n_classes)
        blocks.append(block)
        sample_bits.append(bits)
        start = end
    final_bits = None
    if final_model:
        final = trainer(x, y, n_classes, _block_seed(seed, 0))
        final_bits = _code_block(final, x, y, 0, 0, len(y), n_classes)[0].bits
    schedule_name = schedule if isinstance(schedule, str) else "custom"
    sample_bits = np.concatenate(sample_bits)
    return ProbeResult(probe_name, schedule_name, seed, len(y), n_classes, tuple(blocks), final_bits,
                       sample_bits, universal_code({"probe": sample_bits}, y, n_classes), y)


def standardize(features: np.ndarray) -> np.ndarray:
    """Zero mean, unit variance per feature (constant features stay 0), as float32."""
    features = np.asarray(features, dtype=np.float64)
    scale = features.std(axis=0)
    scale[scale == 0] = 1.0
    return ((features - features.mean(axis=0)) / scale).astype(np.float32)


def _code_block(probe: FittedProbe, x, y, index: int, start: int, end: int,
                n_classes: int) -> tuple[BlockResult, np.ndarray]:
    """Code samples [start, end) under ``probe``: the block (sum of -log2 p(y | x)) and each sample's bits."""
    log2_p = probe.log2_probabilities(x[start:end])  # (n, K)
    bits = -log2_p[np.arange(end - start), y[start:end]]  # (n,)
    return BlockResult(index, start, end, float(bits.sum()), (end - start) * math.log2(n_classes)), bits


def _trainer(probe: str | ProbeTrainer, config: TrainingConfig | None) -> tuple[ProbeTrainer, str]:
    """The trainer for a probe name (with its budget), or a given trainer as it is."""
    if callable(probe):
        return probe, getattr(probe, "__name__", type(probe).__name__)
    budget = dataclasses.replace(config or TrainingConfig(), probe=probe)

    def trainer(x, y, n_classes, seed):
        return train_probe(x, y, n_classes, seed, budget)

    build_network(probe, 1, 2, 1)  # fail now, not after the first block, on an unknown name
    return trainer, probe


def _block_seed(seed: int, block_index: int) -> int:
    """An independent seed per (run seed, block), so blocks do not share initial weights."""
    return int(np.random.SeedSequence([seed, block_index]).generate_state(1)[0])


def _checked(features, labels, n_classes):
    """Features (N, d) standardised, labels (N,) int64, and K, or ValueError saying what is wrong."""
    features, labels = np.asarray(features), np.asarray(labels)
    if features.ndim != 2 or labels.ndim != 1 or len(features) != len(labels):
        raise ValueError(f"expected features (N, d) and labels (N,), got {features.shape} and {labels.shape}")
    if len(labels) == 0:
        raise ValueError("no samples to code")
    if not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0:
        raise ValueError("labels must be non-negative integers")
    n_classes = int(labels.max()) + 1 if n_classes is None else n_classes
    if n_classes < 2 or labels.max() >= n_classes:
        raise ValueError(f"labels must lie in 0..K-1 with K >= 2 classes, got K = {n_classes}")
    if not np.all(np.isfinite(features)):
        raise ValueError("features must be finite")
    return standardize(features), labels.astype(np.int64), n_classes


def _checked_ends(ends: Sequence[int], n_samples: int) -> list[int]:
    """Explicit block ends, checked: strictly increasing, positive, ending at N."""
    ends = [int(end) for end in ends]
    if not ends or ends[0] < 1 or ends[-1] != n_samples or any(b <= a for a, b in zip(ends, ends[1:])):
        raise ValueError(f"block ends must increase strictly from >= 1 to N = {n_samples}, got {ends}")
    return ends
