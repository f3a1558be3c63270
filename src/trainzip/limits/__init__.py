"""Holding every code against its limit: sources of known entropy rate, KT references, regret.

Sits on top of coding, the prequential loop and the codec; nothing in trainzip imports it.

    from trainzip.limits import measure_limits, standard_sources
    rows = measure_limits(max_n=10**5, levels=())   # KT and oracle rows only, in seconds
"""

from trainzip.limits.experiment import Row, coder_overhead, measure_limits, regret_curves
from trainzip.limits.kt import KTLearner, kt_bits_per_symbol, kt_encode
from trainzip.limits.regret import context_counts, kt_regret_bounds_bits, ml_code_length_bits
from trainzip.limits.sources import MarkovSource, PeriodicSource, iid, standard_sources

__all__ = [
    "KTLearner",
    "MarkovSource",
    "PeriodicSource",
    "Row",
    "coder_overhead",
    "context_counts",
    "iid",
    "kt_bits_per_symbol",
    "kt_encode",
    "kt_regret_bounds_bits",
    "measure_limits",
    "ml_code_length_bits",
    "regret_curves",
    "standard_sources",
]
