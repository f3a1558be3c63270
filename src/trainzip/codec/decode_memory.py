"""The memory decoding a block needs, known from the recorded settings and the block's length before
anything is allocated, and the limit it is held to: as xz's ``--memlimit``, a header that asks for
gigabytes is refused in one line naming the need and the option, never obeyed.

Every setting of a crafted file may be within the format's limits while together they ask for more
than the machine has (48 contexts of 2**24 counters each are 3 GiB); only their product tells. The
prediction counts what the decoding process holds at its peak: the process itself (the interpreter,
NumPy, Numba and the compiled kernels, measured), the count model's tables and the network's arrays
(computed as they are allocated: tests/test_decode_memory.py holds each equal to what is built),
the block's output and bookkeeping, and its payload. bench/decode_memory.py measures it against
the peak of real decoding, level by level. The limit itself, and how a user writes one, is
`trainzip.memory_limit` (the command line reads it without loading the codec).
"""

from __future__ import annotations

from trainzip.codec.learning_curve import GRAIN_SHIFT
from trainzip.codec.settings import CodecConfig
from trainzip.errors import MemoryLimitError
from trainzip.memory_limit import ENVIRONMENT, MiB, format_size, limit_option
from trainzip.models.context_mixing.state import model_bytes
from trainzip.models.exact_network.arrays import array_bytes

# A decoding process before its first block (RSS, 2-core x86-64, Python 3.11): the interpreter,
# NumPy, Numba, llvmlite and the kernels loaded from their cache (a fast file of 18 bytes decodes at
# a peak of 159-161 MiB; a decoder that must compile its kernels first holds some 45 MiB more). A 0.6
# network file's decoder also runs PyTorch: loading it adds 206 MiB, running its LSTM over 64
# streams about 55 more.
PROCESS_BYTES = 160 * MiB
TORCH_BYTES = 260 * MiB


def block_bytes(config: CodecConfig, length: int, payload_bytes: int, *, stored: bool = False) -> int:
    """Peak memory of a process decoding one block of ``length`` bytes from ``payload_bytes``."""
    if stored or not length:
        return PROCESS_BYTES + 2 * length  # the payload as read, and as written out
    streams = config.streams_for(length)
    network = config.uses_network(length)
    need = PROCESS_BYTES + model_bytes(config.context_mixing, length, streams, network)
    if network:  # 0.6's PyTorch network holds about what the exact one does, besides PyTorch itself
        need += array_bytes(config.network, streams) + (0 if config.network_is_exact else TORCH_BYTES)
    segment = -(-length // streams)
    bookkeeping = 8 * segment + 8 * ((length >> GRAIN_SHIFT) + 2)  # streams active per byte-step; the curve
    return need + length + bookkeeping + 2 * payload_bytes  # the output; the payload as read and as coded


def check_block(need: int, limit: int | None, index: int) -> None:
    """Refuse a block whose decoding would need more than ``limit`` bytes (None: no limit)."""
    if limit is not None and need > limit:
        raise MemoryLimitError(f"decoding block {index} needs {format_size(need)} of memory, over the limit of "
                               f"{format_size(limit)}; to decode it, raise the limit with --memlimit "
                               f"{limit_option(need)} (or {ENVIRONMENT})")
