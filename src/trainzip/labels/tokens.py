"""Token streams: (n, T) token sequences written as the real bitstream of a causal LM's training run.

Nothing but the sequences is the message: both ends build the model from the recorded seed and
run the one prequential loop (`trainzip.prequential.run`) with a `SequenceLearner`, which codes
every sequence of a block one position at a time and retrains the model on all sequences so far
after each block. So a text corpus, cut into sequences, is sent as a stream whose length is the
prequential code length of the corpus under that training, and is read back from the model's
definition and the training step alone. The container (kind "tokens") records the settings, the
numerics fingerprint, the fingerprint of the model and training (checked before decoding) and a
SHA-256 prefix of the tokens (checked after).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np
import torch

from trainzip.coding.channel import DecodeChannel, EncodeChannel
from trainzip.container.layout import DIGEST_BYTES, Block, Container, pack
from trainzip.errors import FormatError, IntegrityError
from trainzip.labels.codec import (LABEL_FREQUENCY_BITS, PLACEHOLDER_ROWS, fixed_numerics, read_stream,
                                   record_or_check_training)
from trainzip.labels.schedule import Schedule
from trainzip.labels.sequence_learner import SequenceLearner, SequenceTrainStep, contexts_of
from trainzip.numerics import check_fingerprint, fingerprint
from trainzip.prequential import run

KIND = "tokens"
TOKENS_VERSION = 1
_NEEDED = ("schedule", "seed", "vocab_size", "n", "length", "bos", "threads", "eval_batch", "deterministic",
           "frequency_bits", "fingerprint")


def tokens_digest(tokens: torch.Tensor) -> bytes:
    """SHA-256 of the (n, T) tokens as little-endian int64 (the container keeps its first bytes)."""
    return hashlib.sha256(np.asarray(tokens, dtype="<i8").tobytes()).digest()[:DIGEST_BYTES]


def _replay(channel, settings: dict, make_model: Callable[[], torch.nn.Module], train: SequenceTrainStep,
            tokens=None, meter=None, check: bool = True, device="cpu") -> torch.Tensor:
    """The one code path of both directions: seed, build the model, code every position of every block."""
    ends = Schedule.from_dict(settings["schedule"]).boundaries(settings["n"])
    length = settings["length"]
    symbols = None
    if tokens is not None:  # per step: one position of one block's sequences
        symbols = [tokens[a:b, t].numpy() for a, b in zip([0] + ends[:-1], ends) for t in range(length)]
    device = torch.device(device)
    with fixed_numerics(settings["threads"], settings["deterministic"], device):
        torch.manual_seed(settings["seed"])
        model = make_model().to(device)
        if check:
            placeholder = torch.full((min(ends[0], PLACEHOLDER_ROWS), length), settings["bos"], dtype=torch.int64,
                                     device=device)
            record_or_check_training(settings, model, train, contexts_of(placeholder, settings["bos"]), placeholder)
        learner = SequenceLearner(model, train, ends, length=length, vocab_size=settings["vocab_size"],
                                  bos=settings["bos"], seed=settings["seed"], eval_batch=settings["eval_batch"],
                                  meter=meter, frequency_bits=settings["frequency_bits"], device=device)
        run(learner, channel, len(ends) * length, symbols)
    return learner.tokens


def encode_tokens(sequences, *, vocab_size: int, make_model: Callable[[], torch.nn.Module], train: SequenceTrainStep,
                  bos: int, schedule: Schedule = Schedule(first=8), seed: int = 0, threads: int = 1,
                  eval_batch: int = 64, deterministic: bool = True, frequency_bits: int = LABEL_FREQUENCY_BITS,
                  device="cpu", meter=None) -> bytes:
    """Encode (n, T) token sequences into a self-describing token stream.

    Args:
        sequences: (n, T) integers in [0, vocab_size); pad a short last sequence with a token of
            the vocabulary (it is coded like any other).
        vocab_size: V, the model's output size.
        make_model: builds the untrained causal LM (called right after ``torch.manual_seed(seed)``):
            (b, T) int64 contexts to (b, T, V) logits, or an output with ``.logits``.
        train: train(model, contexts, tokens) after each block but the last (see `SequenceLearner`).
        bos: the start token put before every sequence's first token (any id below V).
        schedule: where blocks end, in sequences (doubling from 8 by default).
        seed, threads, eval_batch, deterministic, frequency_bits, device: what the decoder replays.
        meter: optional `PrequentialMeter`, given every position's logits and tokens (bits per token).
    """
    tokens = torch.as_tensor(sequences).detach().cpu().long()
    if tokens.dim() != 2 or not tokens.numel():
        raise ValueError(f"expected (n, T) token sequences, got shape {tuple(tokens.shape)}")
    if vocab_size < 2 or tokens.min() < 0 or tokens.max() >= vocab_size or not 0 <= bos < vocab_size:
        raise ValueError(f"tokens and bos must lie in [0, {vocab_size}) with a vocabulary of at least 2")
    settings = {"kind": KIND, "tokens_version": TOKENS_VERSION, "schedule": schedule.to_dict(), "seed": seed,
                "vocab_size": vocab_size, "n": len(tokens), "length": tokens.shape[1], "bos": bos, "threads": threads,
                "eval_batch": eval_batch, "deterministic": deterministic, "frequency_bits": frequency_bits,
                "fingerprint": fingerprint(threads, torch.device(device))}
    channel = EncodeChannel(frequency_bits)
    _replay(channel, settings, make_model, train, tokens=tokens, meter=meter, device=device)
    return pack(Container(settings, tokens.numel(), tokens_digest(tokens), [Block(tokens.numel(), channel.finish())]))


def read_token_settings(data: bytes) -> dict:
    """Check a token stream's structure and return its settings (FormatError/VersionError if unfit)."""
    return _read(data)[1]


def _read(data: bytes) -> tuple[Container, dict]:
    container, settings = read_stream(data, kind=KIND, version_key="tokens_version", version=TOKENS_VERSION,
                                      needed=_NEEDED, what="token stream")
    if container.original_length != settings["n"] * settings["length"]:
        raise FormatError("corrupt token stream: its settings are incomplete (blocks)")
    return container, settings


def decode_tokens(data: bytes, *, make_model: Callable[[], torch.nn.Module], train: SequenceTrainStep,
                  device="cpu", ignore_fingerprint: bool = False, check_training: bool = True,
                  meter=None) -> torch.Tensor:
    """Decode a token stream by replaying its training; returns the (n, T) int64 tokens.

    Raises:
        FormatError, VersionError: the data is not a readable token stream.
        FingerprintError: this machine's numerics differ from the encoder's (checked before decoding).
        TrainingMismatchError: the model or training differs from the encoder's (checked before decoding).
        IntegrityError: the decoded tokens do not match the recorded SHA-256.
    """
    container, settings = _read(data)
    if not ignore_fingerprint:
        check_fingerprint(settings["fingerprint"], torch.device(device))
    channel = DecodeChannel(container.blocks[0].payload, settings["frequency_bits"])
    tokens = _replay(channel, settings, make_model, train, meter=meter, check=check_training, device=device)
    if tokens_digest(tokens) != container.original_digest:
        raise IntegrityError("decoded tokens do not match the recorded SHA-256 "
                             "(a different model, training step or numerics than the encoder's)")
    return tokens
