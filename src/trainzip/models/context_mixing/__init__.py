"""Count-based context mixing for B byte streams, one component per module.

Each component owns its registers (`registers`), its tables (a named tuple) and a predict/learn
pair side by side: `counters` (hashed counters and their adaptive maps), `runs` (run slots),
`direct` (direct low-order tables), `match` (the match model), `mixer_sets` and `mixers` (two
layers of gated linear mixers), `sse` (adaptive probability maps), `network_input` (a network's
distribution as an input). Between bytes, `history` and `context_hashes` move each stream on;
`model` chains it all for one bit. Integers only: encoder and decoder agree on any CPU. The
model knows nothing of coding: `trainzip.codec.bit_loop` drives it.

The components are imported here in one fixed order, which lays out the register file.
"""

from trainzip import kernel_cache

kernel_cache.refresh()  # before any kernel loads: cached code must match every file it was built from

from trainzip.models.context_mixing import model  # noqa: E402  (imports every component, in order)
from trainzip.models.context_mixing.config import ContextMixingConfig  # noqa: E402
from trainzip.models.context_mixing.parameters import KernelParameters, sized_bits  # noqa: E402
from trainzip.models.context_mixing.state import ContextMixingModel, Streams, Tables  # noqa: E402

__all__ = ["ContextMixingConfig", "ContextMixingModel", "KernelParameters", "Streams", "Tables", "model",
           "sized_bits"]
