"""The count-based model's tables are sized to the block, so small inputs start at once."""

import numpy as np

from trainzip.models.context_mixing import ContextMixingConfig, ContextMixingModel, sized_bits


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
    assert model.counters.shape == (ContextMixingConfig().contexts, 1 << 16)
    assert not model.counters.any()
    assert len(model.match_table) == 1 << sized_bits(22, len(data))
