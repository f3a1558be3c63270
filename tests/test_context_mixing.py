"""The count-based model: tables sized to the block, and contexts that only read what the decoder has."""

import numpy as np

from tests.conftest import TINY, corpus_file
from trainzip.codec import compress_with_report, decompress
from trainzip.models.context_mixing import ContextMixingConfig, ContextMixingModel, sized_bits
from trainzip.models.context_mixing import contexts, direct, mixer_sets, model, runs
from trainzip.models.context_mixing.ascii import fold_partial
from trainzip.models.context_mixing.counters import BIT_HASH
from trainzip.models.logistic import SQUASH, STRETCH


def test_table_size_follows_the_block_up_to_the_limit():
    """Room for twice the slots a block can touch, never beyond the configured limit."""
    assert sized_bits(22, 8 * 3_721) == 16  # grammar.lsp: 29,768 bit-slots per context
    assert sized_bits(22, 8 * 1_000_000) == 22  # enwik6 would want 2**24
    assert sized_bits(24, 8 * 1_000_000) == 24
    assert sized_bits(22, 0) == 10  # never below 2**10


def test_a_small_block_gets_small_zeroed_tables():
    """A 4 kB block's counters take 64 KiB per context, and all start empty (zeros)."""
    data = np.zeros(4_000, dtype=np.uint8)
    model = ContextMixingModel(ContextMixingConfig(), data, streams=1, segment_length=len(data), neural_inputs=False)
    assert model.tables.counters.shape == (ContextMixingConfig().contexts, 1 << 16)
    assert not model.tables.counters.any()
    assert len(model.tables.match_table) == 1 << sized_bits(22, len(data))


def test_every_context_reads_only_bytes_the_decoder_has():
    """Contexts that look back into the block (line starts, the byte above, the last blank, orders
    12 and 20) must read only their own stream's coded bytes: with many streams on source code, any
    peek ahead or across segments would decode to other bytes and fail the checksum."""
    data = corpus_file("canterbury/fields.c").read_bytes()
    every_input = TINY.context_mixing.__class__(**{**TINY.context_mixing.__dict__, "run_inputs": True,
                                                   "probability_inputs": True})
    config = TINY.replace(single_stream_below=0, min_segment=1024, context_mixing=every_input)
    blob, report = compress_with_report(data, config=config)
    assert report.config.context_mixing.contexts == contexts.MAX_CONTEXTS
    assert config.streams_for(len(data)) > 8
    assert decompress(blob) == data


def _predict(learner: ContextMixingModel) -> int:
    """Stream 0's prediction of its next bit, straight from the kernel (registers left as they are)."""
    return model.predict_bit(0, learner.streams, learner.params, learner.tables, SQUASH, STRETCH)


def _learn(learner: ContextMixingModel, y: int, step: int) -> None:
    model.learn_bit(0, y, step, learner.streams, learner.params, learner.tables, SQUASH, learner.data)


def test_every_selector_stays_inside_its_mixers_weight_sets():
    """Numba does not check bounds: a selector past its mixer's sets would silently use (or, in the
    second layer, corrupt) another's weights. Step the kernels bit by bit over bytes of every value,
    words, digits, brackets and repeats, and check each selector and table cell against its range
    every time."""
    rng = np.random.default_rng(7)
    text = b"(defun f (x) {return x[0] + 42;}) <a href='x'>Alice</a>\n  said: 'Why?' " * 6
    data = np.frombuffer(text + rng.integers(0, 256, 600, dtype=np.uint8).tobytes() + text, dtype=np.uint8).copy()
    config = ContextMixingConfig(table_bits=16, run_inputs=True, probability_inputs=True)
    learner = ContextMixingModel(config, data.copy(), streams=1, segment_length=len(data), neural_inputs=False)
    m = mixer_sets
    state = learner.streams.state
    for position, byte in enumerate(data):
        for bit in range(8):
            _predict(learner)
            selectors = state[0, m.MIX_SEL:m.MIX_SEL + m.MAX_MIXERS]
            assert (selectors >= 0).all() and (selectors < np.array(m.MIXER_SETS)).all(), (position, bit)
            final = state[0, m.FINAL_SEL:m.FINAL_SEL + m.FINAL_MIXERS]
            assert (final >= m.FINAL_OFFSETS).all(), (position, bit)
            assert (final < m.FINAL_OFFSETS + np.array(m.FINAL_SETS)).all(), (position, bit)
            run_cells = state[0, runs.RUN_CELL:runs.RUN_CELL + config.contexts]
            assert ((run_cells >= -1) & (run_cells < config.contexts * runs.RUN_MAP_CELLS)).all(), (position, bit)
            cells = state[0, direct.DIRECT_CELL:direct.DIRECT_CELL + direct.DIRECT_ORDERS]
            assert ((cells >= 0) & (cells < direct.DIRECT_CELLS)).all(), (position, bit)
            _learn(learner, (int(byte) >> (7 - bit)) & 1, position)


def test_max_tables_for_the_largest_block_stay_under_4_gib():
    """Peak memory is the tables: for a whole 16 MiB block, max's (allocated lazily, so this costs
    no memory here) add up to at most 3.3 GiB, leaving room for the process under 4 GiB."""
    from trainzip.codec.presets import preset

    config = preset("max")
    block = np.zeros(config.block_size, dtype=np.uint8)
    learner = ContextMixingModel(config.context_mixing, block, streams=1, segment_length=len(block),
                                 neural_inputs=False)
    assert learner.tables.nbytes + block.nbytes <= 3.3 * 2**30


def _bit_hashes_before_bit_3(text: bytes) -> np.ndarray:
    """Code ``text`` but its last byte's last five bits, then predict its fourth bit: each context's
    counter key and the direct tables' cells for that bit."""
    data = np.frombuffer(text, dtype=np.uint8).copy()
    config = ContextMixingConfig(table_bits=12, run_inputs=True)
    learner = ContextMixingModel(config, data.copy(), streams=1, segment_length=len(data), neural_inputs=False)
    steps = [(position, bit) for position in range(len(data)) for bit in range(8)][:8 * len(data) - 5]
    for position, bit in steps:
        _predict(learner)
        _learn(learner, (int(data[position]) >> (7 - bit)) & 1, position)
    _predict(learner)
    state = learner.streams.state
    return np.concatenate([state[0, BIT_HASH:BIT_HASH + config.contexts],
                           state[0, direct.DIRECT_CELL:direct.DIRECT_CELL + direct.DIRECT_ORDERS]])


def test_a_capital_goes_on_as_its_lower_case_in_the_folded_contexts():
    """After "the C" and "the c", once the case bit is coded, the folded contexts (and the direct
    tables) key the rest of the byte alike, so what they learned of 'c' serves 'C'; every other
    context keeps the cases apart."""
    upper = _bit_hashes_before_bit_3(b"said the C")
    lower = _bit_hashes_before_bit_3(b"said the c")
    folded = np.array([(contexts.FOLDED_CONTEXTS >> i) & 1 for i in range(contexts.MAX_CONTEXTS)]
                      + [1] * direct.DIRECT_ORDERS, bool)
    assert (upper[folded] == lower[folded]).all()
    assert (upper[~folded] != lower[~folded]).all()


def test_only_bytes_in_0x40_to_0x5f_are_folded():
    """The fold sets the case bit once the first three bits say 010; digits and lower case pass as they are."""
    for byte in range(256):
        for bit in range(8):
            partial = (byte | 256) >> (8 - bit)
            expected = (((byte | 0x20) | 256) >> (8 - bit)) if 0x40 <= byte <= 0x5F and bit >= 3 else partial
            assert fold_partial(partial, bit) == expected, (byte, bit)
