"""The settings as the kernels read them: a named tuple of integers, fixed for a block.

Tables are sized to the block here (`sized_bits`), from the block's length alone, so both ends
size them alike. Nothing that changes while coding lives here (the byte-step is an argument).
"""

from __future__ import annotations

from typing import NamedTuple

from trainzip.models.context_mixing.config import ContextMixingConfig
from trainzip.models.context_mixing.direct import INPUTS as DIRECT_INPUTS

RUN_TABLE_LIMIT = 21  # a run slot per byte (not per bit) context, and at most 2**21: max stays under 4 GiB
MIN_TABLE_BITS = 10


class KernelParameters(NamedTuple):
    contexts: int
    table_bits: int  # counters per context: 2**table_bits
    counter_limit: int
    mixer_rate: int
    match_min: int
    match_bits: int
    segment_length: int  # bytes per stream
    network_inputs: int  # 1 where a network joins the mix
    probability_inputs: int
    mixer_boost: int
    mixer_decay: int
    sse_share: int
    mixers: int
    sse_stages: int
    run_inputs: int
    run_bits: int  # run slots per context: 2**run_bits


def sized_bits(limit: int, slots_needed: int) -> int:
    """Table size (log2) for a block: room for twice the slots it can touch, at most 2**limit.

    A small input then costs no time filling tables it will never use; both ends know the block's
    length, so both size the tables alike.
    """
    return min(limit, max(MIN_TABLE_BITS, int(slots_needed).bit_length() + 1))


def kernel_parameters(config: ContextMixingConfig, block_length: int, segment_length: int,
                      network_inputs: bool) -> KernelParameters:
    """The settings as the kernels read them, with the tables sized to the block."""
    run_limit = min(config.table_bits - 2, RUN_TABLE_LIMIT)
    return KernelParameters(
        contexts=config.contexts,
        table_bits=sized_bits(config.table_bits, 8 * block_length),  # one slot per context per coded bit
        counter_limit=config.counter_limit, mixer_rate=config.mixer_rate, match_min=config.match_min,
        match_bits=sized_bits(config.match_bits, block_length), segment_length=max(segment_length, 1),
        network_inputs=int(network_inputs), probability_inputs=int(config.probability_inputs),
        mixer_boost=config.mixer_boost, mixer_decay=config.mixer_decay, sse_share=config.sse_share,
        mixers=config.mixers, sse_stages=config.sse_stages, run_inputs=int(config.run_inputs),
        run_bits=sized_bits(run_limit, block_length) if config.run_inputs else 0)


def mixer_inputs(config: ContextMixingConfig, network_inputs: bool) -> int:
    """Inputs of every first-layer mixer, in the order `model` lists them."""
    per_context = 1 + int(config.probability_inputs) + int(config.run_inputs)
    return config.contexts * per_context + 1 + DIRECT_INPUTS + int(network_inputs) + 1
