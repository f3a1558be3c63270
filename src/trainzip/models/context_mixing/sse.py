"""SSE (adaptive probability maps): the mix refined by small contexts, as such mixes turned out.

Stages, in order (a level uses the first `sse_stages`): order 1, order 2, order 3, the match state,
the classes of the last bytes; each with the partial byte, interpolating between buckets of the
mix's stretch (`buckets`). ``apm`` (stages, 65536 * 24) int32 packed [16-bit probability | 10-bit
update count]; 0 means never updated, still the identity (so the table starts as zeros).
"""

from typing import NamedTuple

import numpy as np

from trainzip.jit import kernel
from trainzip.models.context_mixing import buckets as b
from trainzip.models.context_mixing import history as h
from trainzip.models.context_mixing.hashing import mix32
from trainzip.models.context_mixing.match import EXPECTED, MATCH_STATE
from trainzip.models.context_mixing.probability_counter import toward
from trainzip.models.context_mixing.registers import REGISTERS
from trainzip.models.logistic import P16_BITS, P16_ONE

MAX_SSE_STAGES = 5
(APM_CELL,) = REGISTERS.allocate(("sse cell", MAX_SSE_STAGES))  # per stage: the lower of its two cells (both learn)
CONTEXTS_PER_STAGE = 65536
COUNT_BITS = 10
APM_LIMIT = 255  # an SSE cell averages over at most this many updates
APM_START = 8  # ... and starts as if it had seen 8, so its first updates do not swing it


class SseTables(NamedTuple):
    apm: np.ndarray  # (stages, CONTEXTS_PER_STAGE * BUCKETS) int32


def allocate_sse_tables(stages: int) -> SseTables:
    return SseTables(np.zeros((stages, CONTEXTS_PER_STAGE * b.BUCKETS), dtype=np.int32))


@kernel(inline=True)
def _cell_p16(apm, stage, index):
    """An SSE cell's 16-bit probability; a cell never updated (zero) is still the identity."""
    cell = apm[stage, index]
    return cell >> COUNT_BITS if cell else b.IDENTITY_BUCKETS[index % b.BUCKETS]


@kernel(inline=True)
def refine(s, state, params, apm, p_mix, c0, bit, stretch_t):
    """The mix refined by each stage, averaged, and blended with the mix (sse_share eighths from the
    stages): a 16-bit probability."""
    bucket, weight = b.bucket_position(stretch_t[p_mix])
    c4 = state[s, h.C4]
    match_state = state[s, MATCH_STATE]
    if match_state:
        match_state = match_state * 2 + ((state[s, EXPECTED] >> (7 - bit)) & 1)
    contexts = (c0 | ((c4 & 0xFF) << 8), mix32(c4 & 0xFFFF, c0) & 0xFFFF, mix32(c4 & 0xFFFFFF, c0) & 0xFFFF,
                (match_state << 8) | c0, ((state[s, h.SHAPE] & 0xFF) << 8) | c0)
    stages = params.sse_stages
    refined = 0
    for stage in range(stages):
        cell = contexts[stage] * b.BUCKETS + bucket
        state[s, APM_CELL + stage] = cell
        low, high = _cell_p16(apm, stage, cell), _cell_p16(apm, stage, cell + 1)
        refined += b.interpolate(low, high, weight) >> b.WEIGHT_BITS
    share = params.sse_share
    p16 = (p_mix * 16 * (8 - share) + (refined // stages) * share) >> 3
    return min(max(p16, 1), P16_ONE - 1)


@kernel(inline=True)
def learn_sse(s, y, state, params, apm):
    """Both cells each stage interpolated between learn the bit."""
    target = (y << P16_BITS) + (y << 6) - y - y  # a 1 as 2**16 + 62, as format 6 has it
    for stage in range(params.sse_stages):
        for index in range(state[s, APM_CELL + stage], state[s, APM_CELL + stage] + 2):
            cell = apm[stage, index]
            if cell == 0:  # never updated: the identity, as if seen APM_START times
                cell = (b.IDENTITY_BUCKETS[index % b.BUCKETS] << COUNT_BITS) | APM_START
            updates = cell & ((1 << COUNT_BITS) - 1)
            apm[stage, index] = (toward(cell >> COUNT_BITS, target, updates) << COUNT_BITS) | \
                min(updates + 1, APM_LIMIT)
