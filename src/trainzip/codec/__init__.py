"""The byte codec: a file's bytes coded block by block by a learner that trains as it codes.

Layers, from the whole input down to one bit: `driver` (blocks into a checked container),
`block_coder` (one block, one fresh learner), `byte_steps` (the streams' byte-steps, where the
network predicts and learns), `bit_loop` (the compiled loop of every bit: predict, code, learn).
`settings` and `presets` are what a file records.
"""

from trainzip.codec.driver import (
    KIND,
    CodingReport,
    compress,
    compress_with_report,
    decompress,
    decompress_container,
    decompress_with_report,
    machine_independent,
    read_settings,
)

__all__ = ["KIND", "CodingReport", "compress", "compress_with_report", "decompress", "decompress_container",
           "decompress_with_report", "machine_independent", "read_settings"]
