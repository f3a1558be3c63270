"""MDL probing: how many bits the labels cost given features, coded online block by block.

    >>> from trainzip.probing import online_codelength
    >>> result = online_codelength(X, y, probe="linear", schedule="voita", seed=0)  # doctest: +SKIP
    >>> result.uniform_bits, result.online_bits, result.compression                # doctest: +SKIP

Voita & Titov (2020) and Blier & Ollivier (2018): the online code of the labels under a probe
retrained on all data seen so far, against the uniform code N log2 K; beside it the universal
code (over the probe, the uniform code and the labels' KT marginal), never more than
log2 3 + log2 N bits above uniform; and control tasks to hold both against. All figures in bits.
"""

from trainzip.probing.controls import CONTROL_TASKS, control_labels
from trainzip.probing.online_code import BlockResult, ProbeResult, online_codelength, standardize
from trainzip.probing.probes import PROBES, FittedProbe, ProbeTrainer, UniformProbe
from trainzip.probing.record import probe_record
from trainzip.block_schedules import SCHEDULES, VOITA_PERCENTS, block_ends, doubling_ends, voita_ends
from trainzip.probing.seeds import SeedSpread, online_codelength_seeds, seed_run
from trainzip.probing.switch import ProbeComparison, compare_probes, comparison_record, probes_seed_run
from trainzip.probing.training import TrainingConfig, train_probe
from trainzip.probing.universal import universal_code

__all__ = [
    "CONTROL_TASKS",
    "PROBES",
    "SCHEDULES",
    "VOITA_PERCENTS",
    "BlockResult",
    "FittedProbe",
    "ProbeComparison",
    "ProbeResult",
    "ProbeTrainer",
    "SeedSpread",
    "TrainingConfig",
    "UniformProbe",
    "block_ends",
    "compare_probes",
    "control_labels",
    "comparison_record",
    "doubling_ends",
    "online_codelength",
    "online_codelength_seeds",
    "probe_record",
    "probes_seed_run",
    "seed_run",
    "standardize",
    "train_probe",
    "universal_code",
    "voita_ends",
]
