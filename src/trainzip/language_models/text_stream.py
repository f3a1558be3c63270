"""A text coded by a causal language model, frozen or learning as it reads, as a real bitstream.

The text's tokens (`text_tokens`) are cut into non-overlapping windows of ``context`` tokens (the
last filled out with the end-of-text token); each window is predicted from a start token and its
own tokens before, never from the window before it (stride = window). The windows are coded with
the token streams of `trainzip.labels.tokens`, in chunks of ``chunk`` windows: frozen, the model
never changes; learning, one AdamW step on each chunk after it is coded. The stream records what
the decoder needs besides the model (tokenization, token and byte counts, the learning settings),
so `decode_text` needs only the same model directory.

Bits per byte = total bits of the token code / number of UTF-8 bytes of the text (not characters,
not tokens); the pad tokens' bits are in the total, since the stream codes them.
"""

from __future__ import annotations

import copy
import math

from trainzip.container.layout import pack, unpack
from trainzip.errors import FormatError, TrainzipError
from trainzip.labels.schedule import Schedule
from trainzip.labels.tokens import decode_tokens, encode_tokens, read_token_settings
from trainzip.language_models.loading import vocab_size
from trainzip.language_models.online import OnlineStep, frozen
from trainzip.language_models.text_tokens import detokenize, tokenize, windows
from trainzip.meter import PrequentialMeter

# what `decode_text` reads of a stream's text settings, and of which kind (checked before it is read)
_TEXT_SETTINGS = {"learn": bool, "lr": (int, float), "chunk": int, "tokens": int, "bytes": int, "tokenization": str}
FROZEN_CHUNK = 64  # windows per block when nothing is learnt: only the batching changes with it


def _of_kind(value, kind) -> bool:
    """Whether ``value`` is of ``kind``, a bool only where a bool is asked for (Python's bool is an int)."""
    return isinstance(value, kind) and isinstance(value, bool) == (kind is bool)


def _train(text_settings: dict):
    if text_settings["learn"]:
        return OnlineStep(lr=text_settings["lr"], chunk=text_settings["chunk"])
    return frozen


def _special_tokens(tokenizer) -> tuple[int, int]:
    """(start, pad): the tokenizer's BOS (else EOS) before each window, its EOS (else BOS) after the text."""
    bos, eos = tokenizer.bos_token_id, tokenizer.eos_token_id
    start = bos if bos is not None else eos
    if start is None:
        raise TrainzipError("the tokenizer has neither a BOS nor an EOS token to start each window with")
    return start, eos if eos is not None else start


def encode_text(text: bytes, model, tokenizer, *, context: int, learn: bool = False, lr: float = 1e-3,
                chunk: int = 1, seed: int = 0, threads: int = 1) -> tuple[bytes, dict]:
    """The stream of ``text`` under ``model`` and its figures (in bits; see `figures`)."""
    if not text:
        raise TrainzipError("the text is empty: there is no byte to give bits per byte of")
    if chunk < 1:
        raise TrainzipError("--chunk must be at least one window")
    ids, tokenization = tokenize(tokenizer, text)
    start, pad = _special_tokens(tokenizer)
    tokens = windows(ids, context, pad)  # (n, T)
    text_settings = {"tokenization": tokenization, "tokens": len(ids), "bytes": len(text), "learn": learn,
                     "lr": lr, "chunk": chunk if learn else FROZEN_CHUNK}
    meter = PrequentialMeter()
    data = encode_tokens(tokens, vocab_size=vocab_size(model, tokenizer), make_model=lambda: copy.deepcopy(model),
                         train=_train(text_settings), bos=start, seed=seed, threads=threads, meter=meter,
                         schedule=Schedule(kind="fixed", first=text_settings["chunk"]))
    container = unpack(data)
    container.metadata["text"] = text_settings
    data = pack(container)
    return data, figures(data, meter.total_bits, padded=tokens.numel() - len(ids))


def figures(data: bytes, estimate_bits: float, *, padded: int) -> dict:
    """Bits per byte from the -log2 p sum (estimate) and from the stream's payload and whole file."""
    container = unpack(data)
    text_settings = container.metadata["text"]
    text_bytes = text_settings["bytes"]
    stream_bits = 8 * len(container.blocks[0].payload)
    return {"bytes": text_bytes, "tokens": text_settings["tokens"], "pad_tokens": padded,
            "tokenization": text_settings["tokenization"], "learn": text_settings["learn"],
            "context": container.metadata["length"], "windows": container.metadata["n"],
            "estimate_bits": estimate_bits, "stream_bits": stream_bits, "file_bytes": len(data),
            "bits_per_byte_estimate": estimate_bits / text_bytes, "bits_per_byte_stream": stream_bits / text_bytes,
            "bits_per_byte_file": 8 * len(data) / text_bytes,
            "stream_over_estimate": stream_bits / estimate_bits if estimate_bits else math.nan}


def decode_text(data: bytes, model, tokenizer) -> bytes:
    """The text back from its stream, by replaying the model (and its steps, if it learnt)."""
    read_token_settings(data)
    text_settings = unpack(data).metadata.get("text")
    if not isinstance(text_settings, dict):
        raise TrainzipError("not a text stream of `trainzip lm` (it records no text settings)")
    missing = [key for key, kind in _TEXT_SETTINGS.items() if not _of_kind(text_settings.get(key), kind)]
    if missing:
        raise FormatError(f"corrupt file: the text stream's settings lack or garble {', '.join(missing)}")
    tokens = decode_tokens(data, make_model=lambda: copy.deepcopy(model), train=_train(text_settings))
    text = detokenize(tokenizer, tokens.flatten()[:text_settings["tokens"]].tolist(), text_settings["tokenization"])
    if len(text) != text_settings["bytes"]:
        raise TrainzipError(f"decoded {len(text)} bytes where the stream records {text_settings['bytes']}")
    return text
