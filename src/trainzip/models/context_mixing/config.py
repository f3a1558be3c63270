"""Settings of the count model: a frozen dataclass written into every custom file by field name.

Every field changes the code, and a file lacking a field (written before it existed) takes its
default, so a default never changes: a new feature is a new field whose default is the old
behaviour (tests/fixtures/defaults.json pins them).
"""

from __future__ import annotations

from dataclasses import dataclass

from trainzip.models.context_mixing.contexts import MAX_CONTEXTS
from trainzip.settings_fields import Field, check_fields

MAX_MIXERS = 12  # mixer_sets.MAX_MIXERS, kept here so that settings load without the kernels
MAX_SSE_STAGES = 5  # sse.MAX_SSE_STAGES


@dataclass(frozen=True, kw_only=True)
class ContextMixingConfig:
    """Settings of the count-based model; all of them change the code, so all go in the file."""

    contexts: int = 48  # the first n of the contexts (see contexts.py: their numbers are fixed)
    mixers: int = 12  # the first n of the first-layer mixers (see mixer_sets.MIXER_SETS)
    table_bits: int = 22  # at most 2**table_bits counters per context (fewer for small blocks, see sized_bits)
    counter_limit: int = 127  # adaptation floor: counters average over at most this many events (<= 255)
    mixer_rate: int = 12  # mixer learning rate (fixed point) once much has been seen
    mixer_boost: int = 96  # extra rate for a new weight set, decaying as mixer_decay / (mixer_decay + its updates)
    mixer_decay: int = 256
    match_min: int = 6  # shortest match the match model trusts
    match_bits: int = 22  # at most 2**match_bits entries in the match model's hash table
    sse_share: int = 6  # eighths of the final probability taken from the SSE stages
    sse_stages: int = 5  # the first n of: order-1, order-2, order-3, match-state and byte-class SSE
    probability_inputs: bool = False  # a second input per context: its probability, besides its stretch
    run_inputs: bool = False  # a third: the bit the bytes last seen in the context predict (see runs.py)

    def __post_init__(self):
        check_fields(self, FIELDS)


FIELDS = {
    "contexts": Field(int, 1, MAX_CONTEXTS),
    "mixers": Field(int, 1, MAX_MIXERS),
    "table_bits": Field(int, 10, 24),  # 2**24 counters per context: 64 MiB each, 3 GiB at 48 contexts
    "counter_limit": Field(int, 1, 255),
    "mixer_rate": Field(int, 0, 1 << 12),
    "mixer_boost": Field(int, 0, 1 << 12),
    "mixer_decay": Field(int, 1, 1 << 16),
    "match_min": Field(int, 1, 32),
    "match_bits": Field(int, 10, 24),
    "sse_share": Field(int, 0, 8),
    "sse_stages": Field(int, 1, MAX_SSE_STAGES),
    "probability_inputs": Field(bool),
    "run_inputs": Field(bool),
}
"""What each setting may hold: what the levels use, with room to spare."""
