"""Label streams fed from a user's own training loop: encode while it trains, decode by running it again.

The loop calls the stream as it calls the meter, with each batch's logits before the optimizer
learns from the batch. Encoding writes the batch's labels under the model's quantized
probabilities; decoding reads them and returns them, and the loop trains on what it got back:

    stream = LabelEncoder(num_classes=10, inputs=x, model=model)   # or LabelDecoder(data, ...)
    for start in range(0, len(x), 32):
        logits = model(x[start:start + 32])                        # (B, 10)
        yb = stream.code(logits, None if y is None else y[start:start + 32])  # (B,) labels
        loss = F.cross_entropy(logits, yb)
        optimizer.zero_grad(); loss.backward(); optimizer.step()
    data = stream.finish()                                         # the decoder's finish checks the labels

Both directions run this one loop and the one `code` below, through a channel that writes or
reads, so the decoder's model sees the same labels in the same order and computes the same
logits bit for bit, provided the loop is deterministic (seeded, threads pinned, deterministic
kernels). The stream's header (`stream_header`) holds hashes of what both ends hold instead of
the things themselves, so a mismatch is refused before decoding, in one line, but not itemised.
"""

from __future__ import annotations

import json

import numpy as np
import torch

from trainzip.coding.channel import DecodeChannel, EncodeChannel
from trainzip.errors import FingerprintError, InputError, IntegrityError, TrainzipError
from trainzip.labels.codec import LABEL_FREQUENCY_BITS, inputs_sha256, labels_digest
from trainzip.labels.fingerprint import model_fingerprint
from trainzip.labels.frequencies import frequencies_of
from trainzip.labels.stream_header import StreamHeader, numerics_hash, pack_stream, short_hash, unpack_stream


def side_hash(inputs=None, model: torch.nn.Module | None = None) -> bytes:
    """The hash of what both ends hold: the inputs' dtype, shape and bytes, and the untrained
    model's layers, shapes and initial weights (either may be None: then it is not checked)."""
    parts = [b"" if inputs is None else bytes.fromhex(inputs_sha256(torch.as_tensor(inputs))),
             b"" if model is None else json.dumps(model_fingerprint(model), sort_keys=True).encode()]
    return short_hash(*parts)


class _LabelStream:
    """The code path both directions share; a subclass brings the channel."""

    def __init__(self, channel, *, num_classes: int, frequency_bits: int):
        self.channel, self.num_classes, self.frequency_bits = channel, num_classes, frequency_bits
        self.numerics: bytes | None = None  # hashed at the first batch, when the device is known
        self._batches: list[torch.Tensor] = []  # (B,) int64 labels of each batch, on the CPU
        self.count = 0

    @property
    def ideal_bits(self) -> float:
        """Sum of -log2 q over the labels coded so far, q the quantized probability: what the payload approaches."""
        return self.channel.ideal_bits

    def code(self, logits: torch.Tensor, labels=None) -> torch.Tensor:
        """Code one batch: its (B, K) logits, taken before the optimizer learns from it, and its (B,)
        labels (encoding; a decoder reads them instead). Returns the labels, on the logits' device."""
        if logits.dim() != 2 or logits.shape[1] != self.num_classes:
            raise InputError(f"expected (B, {self.num_classes}) logits, got shape {tuple(logits.shape)}")
        if self.numerics is None:
            self._first_batch(numerics_hash(torch.get_num_threads(), logits.device))
        self._before(len(logits))
        frequencies = frequencies_of(logits, self.frequency_bits, where=f"batch {len(self._batches)}'s logits")
        coded = torch.from_numpy(self.channel.code(frequencies, self._symbols(labels, len(logits)))).long()
        self._batches.append(coded)
        self.count += len(coded)
        return coded.to(logits.device)

    def labels(self) -> torch.Tensor:
        """(count,) int64: every label coded so far, in order."""
        return torch.cat(self._batches) if self._batches else torch.zeros(0, dtype=torch.int64)

    def _first_batch(self, numerics: bytes) -> None:
        self.numerics = numerics

    def _before(self, batch: int) -> None:
        """Hook: refuse a batch before anything of it is coded."""

    def _symbols(self, labels, batch: int) -> np.ndarray | None:
        return None


class LabelEncoder(_LabelStream):
    """Writes a loop's labels into a compact label stream (labels version 2), batch by batch.

    Args:
        num_classes: K, the label alphabet; the logits must have K columns.
        inputs: the whole dataset's inputs, if the decoder holds them too: hashed, so a decoder
            given other inputs is refused before it starts.
        model: the untrained model, built and seeded, before its first step: its layers, shapes
            and initial weights are hashed likewise.
        frequency_bits: precision of the coded frequencies (24: see `codec.LABEL_FREQUENCY_BITS`).
    """

    def __init__(self, *, num_classes: int, inputs=None, model=None, frequency_bits: int = LABEL_FREQUENCY_BITS):
        if num_classes < 2 or 2 * num_classes > 1 << frequency_bits:
            raise InputError(f"{num_classes} classes cannot be coded at {frequency_bits}-bit frequencies")
        super().__init__(EncodeChannel(frequency_bits), num_classes=num_classes, frequency_bits=frequency_bits)
        self.side = side_hash(inputs, model)

    def _symbols(self, labels, batch: int) -> np.ndarray:
        if labels is None:
            raise InputError("an encoder needs each batch's labels")
        labels = torch.as_tensor(labels).detach().cpu().long().reshape(-1)
        if len(labels) != batch or (batch and (labels.min() < 0 or labels.max() >= self.num_classes)):
            raise InputError(f"expected {batch} labels in [0, {self.num_classes}), got {len(labels)}")
        return labels.numpy()

    def finish(self) -> bytes:
        """The stream's bytes: its header, the range-coded payload, a CRC-32."""
        header = StreamHeader(frequency_bits=self.frequency_bits, num_classes=self.num_classes, count=self.count,
                              numerics=self.numerics or numerics_hash(torch.get_num_threads(), None),
                              side=self.side, labels=labels_digest(self.labels()))
        return pack_stream(header, self.channel.finish())


class LabelDecoder(_LabelStream):
    """Reads a compact label stream back in the loop that wrote it; ``code`` returns each batch's labels
    (any labels the loop passes are ignored, as a decoding channel ignores its symbols).

    Args:
        data: the stream's bytes.
        inputs, model: as the encoder was given them (the untrained model, before its first step).

    Raises:
        FormatError, VersionError: not a readable loop-fed label stream (checked here).
        TrainzipError: other inputs or another model than the encoder's (checked here).
        FingerprintError: other numerics (checked at the first batch, before anything is read).
    """

    def __init__(self, data: bytes, *, inputs=None, model=None):
        self.header, payload = unpack_stream(data)
        if side_hash(inputs, model) != self.header.side:
            raise TrainzipError("these inputs or this model are not those the labels were encoded with "
                                "(their hash differs from the stream's; nothing was decoded)")
        super().__init__(DecodeChannel(payload, self.header.frequency_bits), num_classes=self.header.num_classes,
                         frequency_bits=self.header.frequency_bits)

    def _first_batch(self, numerics: bytes) -> None:
        if numerics != self.header.numerics:
            raise FingerprintError(
                f"this label stream was written with other numerics (hash {self.header.numerics.hex()} in the "
                f"stream, {numerics.hex()} here, with {torch.get_num_threads()} threads): the PyTorch, NumPy, "
                "Numba, constriction or trainzip version, the CPU, the thread count or the GPU differ")
        super()._first_batch(numerics)

    def _before(self, batch: int) -> None:
        if self.count + batch > self.header.count:
            raise TrainzipError(f"the loop asks for {self.count + batch} labels; the stream holds {self.header.count}")

    def finish(self) -> torch.Tensor:
        """Check that every label was read and matches the stream's SHA-256; returns them all."""
        if self.count != self.header.count:
            raise IntegrityError(f"the loop read {self.count} of the stream's {self.header.count} labels")
        labels = self.labels()
        if labels_digest(labels) != self.header.labels:
            raise IntegrityError("decoded labels do not match the stream's SHA-256 (the loop, its seed or its "
                                 "numerics differ from the encoder's)")
        return labels
