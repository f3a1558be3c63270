"""Two layers of gated linear mixers in the logistic domain, each weight set learning online.

Layer 1: each mixer dots the inputs (stretches, see `model` for their order) with the weight set
its context selects (`mixer_sets`); layer 2: four mixers of layer 1's outputs, each with its own
selected set, averaged. A *prior* weight set, selected by no context, learns from every bit; a new
set starts half from it. ``weights`` (sum(MIXER_SETS) + 1, inputs + 1) int64, 16.16 fixed point,
the last column counting each set's updates (0: never used), the last row the prior;
``final_weights`` (sum(FINAL_SETS), mixers + 1) likewise.
"""

from typing import NamedTuple

import numpy as np

from trainzip.jit import kernel
from trainzip.models.context_mixing.mixer_sets import (
    FINAL_MIXERS,
    FINAL_SEL,
    FINAL_SETS,
    MIX_SEL,
    MIXER_OFFSETS,
    MIXER_SETS,
)
from trainzip.models.context_mixing.registers import REGISTERS
from trainzip.models.logistic import PROBABILITY_BITS, WEIGHT_BITS, clamp_stretch, squash

FINAL_OUT, P_MIX, PRIOR_OUT = REGISTERS.allocate(
    ("final mixer output", FINAL_MIXERS),  # per second-layer mixer: its output (stretch)
    ("mix", 1),  # the two layers' 12-bit probability for the current bit
    ("prior output", 1))  # the prior weight set's output (stretch)
INITIAL_WEIGHT = 1 << (WEIGHT_BITS - 5)  # every input's weight in a new weight set, 1/32, ...
PRIOR_SHARE = 4  # ... averaged with the prior weight set's (eighths taken from the prior)
OWN_ERROR_SHARE = 1  # eighths of a first-layer mixer's error that are its own (the rest is the mix's)
FINAL_RATE, FINAL_BOOST, FINAL_DECAY = 6, 64, 64  # second layer: RATE + BOOST * DECAY / (DECAY + updates)
MAX_TRUST = 4  # a first-layer mixer's trust (its mean second-layer weight, 1 = an even share) is capped here


class MixerTables(NamedTuple):
    weights: np.ndarray  # (sum(MIXER_SETS) + 1, inputs + 1) int64
    final_weights: np.ndarray  # (sum(FINAL_SETS), mixers + 1) int64


def allocate_mixer_tables(mixers: int, inputs: int) -> MixerTables:
    # zeros: a weight set is filled in when first used (`mix`), so a small block does not pay for
    # the memory of sets it never selects
    weights = np.zeros((sum(MIXER_SETS) + 1, inputs + 1), dtype=np.int64)
    weights[-1, :-2] = INITIAL_WEIGHT  # the prior set: 1/32 per input, the bias nothing, ...
    weights[-1, -1] = 1  # ... and counted as used once, so it is never filled in again
    final_weights = np.full((sum(FINAL_SETS), mixers + 1), (1 << WEIGHT_BITS) // mixers, dtype=np.int64)
    final_weights[:, -1] = 0  # how often each weight set has learned
    return MixerTables(weights, final_weights)


@kernel(inline=True)
def _dot(inputs, s, weights, row, count):
    """inputs[s, :count] . weights[row, :count], as a stretch."""
    dot = 0
    for j in range(count):
        dot += inputs[s, j] * weights[row, j]
    return clamp_stretch(dot >> WEIGHT_BITS)


@kernel(inline=True)
def mix(s, state, params, weights, final_weights, inputs, mixer_out, squash_t):
    """Both layers: a 12-bit probability (also kept in P_MIX for learning)."""
    n_in = inputs.shape[1]
    prior = weights.shape[0] - 1
    # The prior set is selected by no context, so it learns from every bit what the inputs are worth
    # in general; most sets of a small file are new (-0.1% on the small Canterbury files). It costs
    # one more dot product and update per bit, about 13% of fast's speed (6 mixers).
    state[s, PRIOR_OUT] = _dot(inputs, s, weights, prior, n_in)
    for m in range(params.mixers):
        row = MIXER_OFFSETS[m] + state[s, MIX_SEL + m]
        if weights[row, n_in] == 0:  # never used: half 1/32 per input (the bias nothing), half the prior's
            for j in range(n_in):
                initial = INITIAL_WEIGHT if j < n_in - 1 else 0
                weights[row, j] = (weights[prior, j] * PRIOR_SHARE + initial * (8 - PRIOR_SHARE)) >> 3
        mixer_out[s, m] = _dot(inputs, s, weights, row, n_in)
    final = 0
    for f in range(FINAL_MIXERS):
        out = _dot(mixer_out, s, final_weights, state[s, FINAL_SEL + f], params.mixers)
        state[s, FINAL_OUT + f] = out
        final += out
    state[s, P_MIX] = squash(final // FINAL_MIXERS, squash_t)
    return state[s, P_MIX]


@kernel(inline=True)
def _rate(uses, rate, boost, decay):
    """A weight set learns fast while it is new, then settles: rate + boost * D / (D + its updates)."""
    return rate + (boost * decay) // (decay + uses)


@kernel(inline=True)
def learn_mixers(s, y, state, params, weights, final_weights, inputs, mixer_out, squash_t):
    """Online gradient steps on coding cost (log loss), both layers. A first-layer mixer learns an
    eighth from its own error and seven eighths from the whole mix's, weighted by how much the
    second layer trusts it (its mean weight there, relative to an even share: the gradient of the
    mix's coding cost), so the mixers learn to make up for each other rather than each to predict
    alone (measured: -0.3% to -0.8% on every level, against its own error alone)."""
    n_in = inputs.shape[1]
    target = y << PROBABILITY_BITS
    mix_error = target - state[s, P_MIX]
    for m in range(params.mixers):
        row = MIXER_OFFSETS[m] + state[s, MIX_SEL + m]
        uses = weights[row, n_in]
        weights[row, n_in] = uses + 1
        rate = _rate(uses, params.mixer_rate, params.mixer_boost, params.mixer_decay)
        trust = 0  # 16.16: 1 when the second layer gives mixer m an even share
        for f in range(FINAL_MIXERS):
            trust += final_weights[state[s, FINAL_SEL + f], m]
        trust = min(max(trust * params.mixers // FINAL_MIXERS, 0), MAX_TRUST << WEIGHT_BITS)
        own = target - squash(mixer_out[s, m], squash_t)
        err = (OWN_ERROR_SHARE * own + (8 - OWN_ERROR_SHARE) * ((mix_error * trust) >> WEIGHT_BITS)) // 8 * rate
        _step(weights, row, inputs, s, n_in, err)
    prior = weights.shape[0] - 1  # learns from its own error: it stands in for a mixer alone
    uses = weights[prior, n_in]
    weights[prior, n_in] = uses + 1
    rate = _rate(uses, params.mixer_rate, params.mixer_boost, params.mixer_decay)
    _step(weights, prior, inputs, s, n_in, (target - squash(state[s, PRIOR_OUT], squash_t)) * rate)
    for f in range(FINAL_MIXERS):
        row = state[s, FINAL_SEL + f]
        uses = final_weights[row, params.mixers]
        final_weights[row, params.mixers] = uses + 1
        rate = _rate(uses, FINAL_RATE, FINAL_BOOST, FINAL_DECAY)  # as in layer 1, sooner settled
        err = (target - squash(state[s, FINAL_OUT + f], squash_t)) * rate
        _step(final_weights, row, mixer_out, s, params.mixers, err)


@kernel(inline=True)
def _step(weights, row, inputs, s, count, err):
    for j in range(count):
        weights[row, j] += (inputs[s, j] * err) >> WEIGHT_BITS
