"""A channel that either writes or reads symbols: the one seam between encoder and decoder.

The prequential loop calls ``channel.code(frequencies, symbols)`` once per step. The encoding
channel writes the given symbols and returns them; the decoding channel ignores ``symbols``,
reads them from the bitstream and returns them. Everything before and after that call is the
same code on both sides, which is what keeps the two in lockstep.

Both channels count the ideal code length, sum of -log2 q over the coded symbols, so the real
bitstream can be held against it.
"""

from __future__ import annotations

import abc

import constriction
import numpy as np

from trainzip.coding.quantize import FREQUENCY_BITS, ideal_bits
from trainzip.errors import FormatError

_CATEGORICAL = constriction.stream.model.Categorical(perfect=False)
_BERNOULLI = constriction.stream.model.Bernoulli(perfect=False)


def _constriction_args(frequencies: np.ndarray, total_bits: int):
    """The model family and its per-symbol parameters for integer frequencies (exact dyadic floats)."""
    scale = 1.0 / (1 << total_bits)
    if frequencies.shape[1] == 2:
        return _BERNOULLI, frequencies[:, 1] * scale
    return _CATEGORICAL, frequencies * scale


class Channel(abc.ABC):
    """Codes one batch of symbols per call, under integer frequencies shared by both ends."""

    writes: bool  # True for the encoding side: it needs the symbols to write

    def __init__(self, total_bits: int = FREQUENCY_BITS):
        self.total_bits = total_bits
        self.ideal_bits = 0.0
        self.symbols_coded = 0
        self.last_symbol_bits = np.zeros(0)  # -log2 q of each symbol of the latest call

    def code(self, frequencies: np.ndarray, symbols: np.ndarray | None = None) -> np.ndarray:
        """Code one symbol per row of ``frequencies`` ((n, V) ints, rows sum to 2**total_bits).

        Returns the (n,) symbols: those given when encoding, those read when decoding.
        """
        frequencies = np.asarray(frequencies)
        coded = self._code(frequencies, symbols)
        self.last_symbol_bits = ideal_bits(frequencies, coded, self.total_bits)
        self.ideal_bits += float(self.last_symbol_bits.sum())
        self.symbols_coded += len(coded)
        return coded

    @abc.abstractmethod
    def _code(self, frequencies: np.ndarray, symbols: np.ndarray | None) -> np.ndarray:
        """Write or read the symbols."""


class EncodeChannel(Channel):
    """Writes symbols into a range-coded bitstream."""

    writes = True

    def __init__(self, total_bits: int = FREQUENCY_BITS):
        super().__init__(total_bits)
        self._encoder = constriction.stream.queue.RangeEncoder()

    def _code(self, frequencies, symbols):
        if symbols is None:
            raise ValueError("an encoding channel needs the symbols to write")
        symbols = np.ascontiguousarray(symbols, dtype=np.int32)
        if len(symbols):
            family, parameters = _constriction_args(frequencies, self.total_bits)
            self._encoder.encode(symbols, family, parameters)
        return symbols

    @property
    def real_bits(self) -> int:
        """Bits the bitstream holds so far (before the final flush)."""
        return int(self._encoder.num_bits())

    def finish(self) -> bytes:
        """The complete bitstream, as little-endian bytes."""
        return self._encoder.get_compressed().astype("<u4").tobytes()


class DecodeChannel(Channel):
    """Reads symbols back from a bitstream written by `EncodeChannel`."""

    writes = False

    def __init__(self, payload: bytes, total_bits: int = FREQUENCY_BITS):
        super().__init__(total_bits)
        if len(payload) % 4:
            raise FormatError("corrupt payload: its length is not a whole number of 32-bit words")
        words = np.frombuffer(payload, dtype="<u4").astype(np.uint32)
        self._decoder = constriction.stream.queue.RangeDecoder(words)

    def _code(self, frequencies, symbols):
        if not len(frequencies):
            return np.zeros(0, dtype=np.int32)
        family, parameters = _constriction_args(frequencies, self.total_bits)
        try:
            return np.asarray(self._decoder.decode(family, parameters), dtype=np.int32)
        except Exception as error:  # constriction raises on an exhausted or invalid stream
            raise FormatError(f"corrupt payload: the range decoder failed ({error})") from None
