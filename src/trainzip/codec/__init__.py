"""The byte codec: a file's bytes coded block by block by a learner that trains as it codes.

Layers, from the whole input down to one bit: `streaming` (a stream's blocks to and from frames,
through an executor of `trainzip.engine`), `driver` (the same for bytes in memory), `block_coder`
(one block, one fresh learner: the job a worker runs), `byte_steps` (the streams' byte-steps, where
the network predicts and learns), `bit_loop` (the compiled loop of every bit: predict, code, learn).
`settings` and `presets` are what a file records.
"""

from trainzip.codec.driver import (
    KIND,
    CodingReport,
    compress,
    compress_with_report,
    decompress,
    decompress_with_report,
    machine_independent,
    read_settings,
)
from trainzip.codec.streaming import compress_stream, decompress_stream

__all__ = ["KIND", "CodingReport", "compress", "compress_stream", "compress_with_report", "decompress",
           "decompress_stream", "decompress_with_report", "machine_independent", "read_settings"]
