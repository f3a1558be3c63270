"""The count-based model: tables sized to the block, and contexts that only read what the decoder has."""

import numpy as np

from tests.conftest import TINY, corpus_file
from trainzip.codec import compress_with_report, decompress
from trainzip.models import context_kernels as k
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


def test_every_context_reads_only_bytes_the_decoder_has():
    """Contexts that look back into the block (line starts, the byte above, the last blank, orders
    12 and 20) must read only their own stream's coded bytes: with many streams on source code, any
    peek ahead or across segments would decode to other bytes and fail the checksum."""
    data = corpus_file("canterbury/fields.c").read_bytes()
    config = TINY.replace(single_stream_below=0, min_segment=1024)
    blob, report = compress_with_report(data, config=config)
    assert report.config.context_mixing.contexts == k.MAX_CONTEXTS
    assert config.streams_for(len(data)) > 8
    assert decompress(blob) == data


def test_the_kernel_has_a_register_and_weight_sets_for_every_mixer():
    """Selectors live in a fixed register range: one weight-set count per mixer, no more."""
    assert len(k.MIXER_SETS) == k.MAX_MIXERS
    assert k.APM_IDX - k.MIX_SEL == k.MAX_MIXERS
