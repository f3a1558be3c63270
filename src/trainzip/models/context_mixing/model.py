"""The count model's kernels, bit by bit: `predict_bit` chains the components' predictions into
one probability, `learn_bit` has each learn the coded bit, and `end_of_byte` moves every stream's
history and contexts on. Integers only, so encoder and decoder agree on any CPU.

The mixer's inputs, in order (`mixer_inputs` counts them):
    C stretches, one per context (`counters`);
    C probabilities, one per context, with `probability_inputs` (`counters`);
    C run inputs, one per context, with `run_inputs` (`runs`);
    1 match input (`match`);
    6 direct inputs, a fast and a slow one per order 0-2 (`direct`);
    1 network input, where a network joins the mix (`network_input`);
    1 bias (BIAS).
Then the mixers (`mixer_sets`, `mixers`) and the SSE stages (`sse`).

Arguments every kernel takes: ``streams`` (`state.Streams`: the per-stream registers and scratch),
``params`` (`parameters.KernelParameters`), ``tables`` (`state.Tables`, shared by all streams: each
stream learns from all), the logistic tables (`models.logistic`), and ``data``, the block, which
the decoder fills in as bytes complete.
"""

from trainzip.jit import kernel
from trainzip.models.context_mixing import history as h
from trainzip.models.context_mixing.ascii import fold_partial
from trainzip.models.context_mixing.context_hashes import context_hashes, learn_followers
from trainzip.models.context_mixing.counters import learn_counters, predict_counters
from trainzip.models.context_mixing.direct import learn_direct, predict_direct
from trainzip.models.context_mixing.match import find_match, learn_match, predict_match
from trainzip.models.context_mixing.mixer_sets import select_weight_sets
from trainzip.models.context_mixing.mixers import learn_mixers, mix
from trainzip.models.context_mixing.network_input import predict_network
from trainzip.models.context_mixing.runs import fetch_slots, learn_runs, predict_runs, record_byte
from trainzip.models.context_mixing.sse import learn_sse, refine

BIAS = 256  # the constant input, a stretch of 256 (p = 0.73): its weight is a learned offset


@kernel
def predict_bit(s, streams, params, tables, squash_t, stretch_t):
    """Stream s's probability that its next bit is 1, out of 65536."""
    state, inputs = streams.state, streams.inputs
    c0 = state[s, h.C0]
    bit = state[s, h.BIT]
    folded = fold_partial(c0, bit)
    k, seen = predict_counters(s, state, params, tables.counters, tables.adapt, inputs, c0, folded, stretch_t)
    if params.run_inputs:
        k = predict_runs(s, state, params, tables.run_map, inputs, k, c0, folded, bit, stretch_t)
    k = predict_match(s, state, tables.match_counters, inputs, k, c0, bit, stretch_t)
    k = predict_direct(s, state, tables.direct, inputs, k, folded, stretch_t)
    if params.network_inputs:
        k = predict_network(s, streams.network_cum, inputs, k, c0, bit, stretch_t)
    inputs[s, k] = BIAS
    select_weight_sets(s, state, c0, folded, bit, seen)
    p_mix = mix(s, state, params, tables.weights, tables.final_weights, inputs, streams.mixer_out, squash_t)
    return refine(s, state, params, tables.apm, p_mix, c0, bit, stretch_t)


@kernel
def learn_bit(s, y, step, streams, params, tables, squash_t, data):
    """Every component learns stream s's coded bit y (after `predict_bit` for it); at a byte's end,
    the stream's history and contexts move on (``step``: the byte-step being coded)."""
    state = streams.state
    learn_counters(s, y, state, params, tables.counters, tables.adapt)
    if params.run_inputs:
        learn_runs(s, y, state, params, tables.run_map)
    learn_direct(s, y, state, tables.direct)
    learn_match(s, y, state, tables.match_counters)
    learn_mixers(s, y, state, params, tables.weights, tables.final_weights, streams.inputs, streams.mixer_out,
                 squash_t)
    learn_sse(s, y, state, params, tables.apm)
    c0 = (state[s, h.C0] << 1) | y
    if state[s, h.BIT] == 7:
        end_of_byte(state, s, c0 & 0xFF, step, params, data, tables)
    else:
        state[s, h.C0] = c0
        state[s, h.BIT] += 1


@kernel
def end_of_byte(state, s, byte, step, params, data, tables):
    """Stream s has coded ``byte``: record it, advance its history, find the next match prediction
    and the contexts of the next byte."""
    pos = state[s, h.POS]
    data[pos] = byte
    before = h.advance_bytes(state, s, byte)
    learn_followers(tables.followers, before, byte)
    h.advance_words(state, s, byte)
    h.advance_lines(state, s, byte, before & 0xFF, pos)
    state[s, h.C0] = 1
    state[s, h.BIT] = 0
    find_match(state, s, pos, step, params, data, tables.match_table)
    state[s, h.POS] = pos + 1
    if params.run_inputs:
        record_byte(state, s, byte, params, tables.runs)  # still under the contexts of this byte
    context_hashes(state, s, params, data, tables.followers)
    if params.run_inputs:
        fetch_slots(state, s, params, tables.runs)
