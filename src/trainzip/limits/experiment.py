"""The limits experiment: every learner on every source at every n, held against the entropy rate.

For each source one sample of the largest n is drawn; each n codes its prefix. Learners:

- ``source``: the true model, the oracle code length. Its regret against n H is pure sampling
  noise (mean 0, spread about sqrt(n) bits): the scale against which other regrets are read.
- ``kt-order<k>``: the KT estimator of order k, really coded: frequencies -> range coder.
- ``trainzip-<level>``: trainzip's byte codec on the symbols written as bytes 0..m-1.

Every figure is in bits. Three regrets per row, all of the same code length L:

- ``regret_bits = L - n H`` against the rate (the expected-regret view);
- ``regret_vs_source_bits = L - L_source`` against the source's own code for this sample;
- ``regret_vs_ml_bits = L - L_ML`` against the best order-k model in hindsight.

``regret_bound_bits`` is (k_free / 2) log2 n for the learner's class (KT) or the source's class
(trainzip, when the source has one): the leading term of the expected regret of the best
universal code. ``ml_bound_bits`` / ``ml_bound_low_bits`` are the exact pointwise KT bounds.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence

import numpy as np

from trainzip.coding.channel import EncodeChannel
from trainzip.limits.kt import kt_bits_per_symbol, kt_encode
from trainzip.limits.regret import (
    asymptotic_regret_bits,
    context_counts,
    free_parameters,
    kt_regret_bounds_bits,
    ml_code_length_bits,
)
from trainzip.limits.sources import Sample, standard_sources


@dataclasses.dataclass(frozen=True)
class Row:
    """One learner on one source prefix of length n (all figures in bits unless named otherwise)."""

    source: str
    alphabet_size: int
    entropy_rate_bits: float
    n: int
    learner: str
    bits_per_symbol: float  # the model's code length L / n (sum of -log2 q)
    file_bits_per_symbol: float | None  # the real output (bitstream, or whole file for trainzip) / n
    excess_percent: float  # 100 (bits_per_symbol - H) / H
    regret_bits: float  # L - n H
    regret_bound_bits: float | None  # (k_free / 2) log2 n
    regret_vs_source_bits: float  # L - L_source(x^n)
    regret_vs_ml_bits: float | None  # L - L_ML(x^n), order of the learner (KT) or of the source
    ml_bound_low_bits: float | None  # exact KT band on regret_vs_ml_bits (KT rows only)
    ml_bound_bits: float | None
    coder_overhead_bits: float | None  # real payload bits - L: what the range coder adds
    seconds: float


def kt_orders(source) -> tuple[int, ...]:
    """KT orders to run: the source's own and one more (over-fitting), or a spread if it has none."""
    if source.order is None:
        return (3, 6)
    return (source.order, source.order + 1)


def codec_available() -> bool:
    """Whether `trainzip.codec` (the lead's byte codec) can be imported yet."""
    try:
        import trainzip.codec  # noqa: F401
    except ModuleNotFoundError as error:
        if error.name == "trainzip.codec":
            return False
        raise
    return True


def n_grid(max_n: int, min_n: int = 1000) -> list[int]:
    """Powers of ten from min_n up to max_n, and max_n itself."""
    grid = [10**e for e in range(len(str(min_n)) - 1, 8) if min_n <= 10**e <= max_n]
    return grid if grid and grid[-1] == max_n else grid + [max_n]


class _Measure:
    """Turns one code length on one prefix into a Row."""

    def __init__(self, source, sample: Sample, n: int):
        self.source, self.n = source, n
        self.symbols = sample.symbols[:n]
        self.source_bits = float(sample.source_bits[:n].sum())
        self.rate = source.entropy_rate_bits

    def row(self, learner: str, total_bits: float, *, order=None, file_bits=None, payload_bits=None,
            free=None, seconds=0.0, kt=False) -> Row:
        """All regrets of a code length; the ML comparison uses `order` (None: no finite class)."""
        n, m = self.n, self.source.alphabet_size
        vs_ml = low = high = None
        if order is not None:
            counts = context_counts(self.symbols, m, order)
            vs_ml = total_bits - ml_code_length_bits(counts)
            if kt:
                low, high = kt_regret_bounds_bits(counts)
        return Row(
            source=self.source.name,
            alphabet_size=m,
            entropy_rate_bits=self.rate,
            n=n,
            learner=learner,
            bits_per_symbol=total_bits / n,
            file_bits_per_symbol=None if file_bits is None else file_bits / n,
            excess_percent=100 * (total_bits / n - self.rate) / self.rate,
            regret_bits=total_bits - n * self.rate,
            regret_bound_bits=None if free is None else asymptotic_regret_bits(free, n),
            regret_vs_source_bits=total_bits - self.source_bits,
            regret_vs_ml_bits=vs_ml,
            ml_bound_low_bits=low,
            ml_bound_bits=high,
            coder_overhead_bits=None if payload_bits is None else payload_bits - total_bits,
            seconds=seconds,
        )


def _kt_row(measure: _Measure, order: int) -> Row:
    """Really code the prefix with order-k KT; L is the channel's sum of -log2 q."""
    started = time.perf_counter()
    channel = EncodeChannel()
    kt_encode(measure.symbols, measure.source.alphabet_size, order, channel)
    payload_bits = 8 * len(channel.finish())
    free = free_parameters(measure.source.alphabet_size, order)
    return measure.row(f"kt-order{order}", channel.ideal_bits, order=order, file_bits=payload_bits,
                       payload_bits=payload_bits, free=free, seconds=time.perf_counter() - started, kt=True)


def _codec_row(measure: _Measure, level: str) -> Row:
    """Compress the prefix as bytes with trainzip's codec at one level."""
    from trainzip.codec import compress_with_report

    _blob, report = compress_with_report(measure.symbols.astype(np.uint8).tobytes(), level=level)
    output_bytes = getattr(report, "output_bytes", None) or report.compressed_bytes  # the file, header included
    return measure.row(f"trainzip-{level}", float(report.ideal_bits), order=measure.source.order,
                       file_bits=8 * output_bytes, payload_bits=8 * report.payload_bytes,
                       free=measure.source.free_parameters, seconds=float(report.seconds))


def measure_limits(
    *,
    max_n: int = 10**6,
    codec_max_n: int = 10**5,
    levels: Sequence[str] = ("default",),
    seed: int = 0,
    sources: Sequence | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Row]:
    """Rows for every source x n in `n_grid(max_n)` x learner (the codec only up to codec_max_n).

    Args:
        max_n: largest prefix for the source and KT rows.
        codec_max_n: largest prefix trainzip's codec is run on (it is far slower than KT).
        levels: codec levels to run; skipped, with a progress note, while the codec is missing.
        seed: seeds both the sources' parameters and their samples.
        sources: defaults to `standard_sources(seed)`.
        progress: called with a short line before each slow step.
    """
    say = progress or (lambda line: None)
    use_codec = bool(levels) and codec_available()
    if levels and not use_codec:
        say("trainzip.codec is not available yet: trainzip rows skipped")
    rows = []
    for source in sources if sources is not None else standard_sources(seed):
        sample = source.sample(max_n, seed=seed + 1000)
        for n in n_grid(max_n):
            measure = _Measure(source, sample, n)
            rows.append(measure.row("source", measure.source_bits))
            rows.extend(_kt_row(measure, order) for order in kt_orders(source))
            for level in levels if use_codec and n <= codec_max_n else ():
                say(f"{source.name}: trainzip --level {level} on n={n}")
                rows.append(_codec_row(measure, level))
    return rows


@dataclasses.dataclass(frozen=True)
class RegretCurve:
    """KT regret along one sample, at many prefix lengths (for the regret plot)."""

    source: str
    order: int
    free_parameters: int
    n: np.ndarray  # (P,) prefix lengths
    vs_source_bits: np.ndarray  # (P,) L_KT - L_source
    vs_rate_bits: np.ndarray  # (P,) L_KT - n H
    vs_ml_bits: np.ndarray  # (P,) L_KT - L_ML
    ml_bound_bits: np.ndarray  # (P,) exact KT upper bound on vs_ml_bits
    ml_bound_low_bits: np.ndarray  # (P,) its lower bound


def regret_curves(*, max_n: int = 10**6, seed: int = 0, sources: Sequence | None = None, points: int = 31):
    """Exact (unquantized) KT regret at `points` log-spaced prefix lengths, for each source and order."""
    curves = []
    for source in sources if sources is not None else standard_sources(seed):
        sample = source.sample(max_n, seed=seed + 1000)
        lengths = np.unique(np.logspace(1, np.log10(max_n), points).astype(np.int64))
        source_cum = np.cumsum(sample.source_bits)[lengths - 1]
        for order in kt_orders(source):
            m = source.alphabet_size
            kt_cum = np.cumsum(kt_bits_per_symbol(sample.symbols, m, order))[lengths - 1]
            ml, low, high = [], [], []
            for n in lengths:
                counts = context_counts(sample.symbols[:n], m, order)
                ml.append(ml_code_length_bits(counts))
                bounds = kt_regret_bounds_bits(counts)
                low.append(bounds[0])
                high.append(bounds[1])
            curves.append(RegretCurve(
                source=source.name, order=order, free_parameters=free_parameters(m, order), n=lengths,
                vs_source_bits=kt_cum - source_cum, vs_rate_bits=kt_cum - lengths * source.entropy_rate_bits,
                vs_ml_bits=kt_cum - np.array(ml), ml_bound_bits=np.array(high), ml_bound_low_bits=np.array(low),
            ))
    return curves


def coder_overhead(rows: Sequence[Row]) -> list[dict]:
    """At each learner's largest n: real payload bits against the ideal sum of -log2 q."""
    largest = {}
    for row in rows:
        if row.coder_overhead_bits is not None:
            key = (row.source, row.learner)
            if key not in largest or row.n > largest[key].n:
                largest[key] = row
    return [
        {"source": r.source, "learner": r.learner, "n": r.n, "ideal_bits": r.bits_per_symbol * r.n,
         "overhead_bits": r.coder_overhead_bits,
         "overhead_percent": 100 * r.coder_overhead_bits / (r.bits_per_symbol * r.n)}
        for r in largest.values()
    ]
