"""Text bytes to tokens and back, exactly: a bits-per-byte figure is the text's only if the
tokens give back every byte of it.

The tokenizer's own tokens are used when bytes -> tokens -> bytes is the identity; otherwise, for
a byte-level tokenizer (GPT-2's: a token for each of the 256 bytes), one token per byte. Any
other tokenizer that loses bytes is refused.
"""

from __future__ import annotations

from functools import lru_cache

import torch

from trainzip.errors import TrainzipError

TOKENIZER, BYTES = "tokenizer", "bytes"


@lru_cache(maxsize=1)
def _byte_chars() -> dict[int, str]:
    from transformers.convert_slow_tokenizer import bytes_to_unicode  # GPT-2's byte -> character table

    return bytes_to_unicode()


def byte_token_ids(tokenizer) -> list[int] | None:
    """The token of each byte 0..255 in a GPT-2-style byte-level vocabulary, or None if it has none."""
    vocab = tokenizer.get_vocab()
    ids = [vocab.get(_byte_chars()[byte]) for byte in range(256)]
    return None if None in ids else ids


def tokenize(tokenizer, text: bytes) -> tuple[list[int], str]:
    """The tokens of ``text`` and which tokenization gave them (TOKENIZER or BYTES)."""
    try:
        ids = tokenizer.encode(text.decode("utf-8"), add_special_tokens=False)
        if detokenize(tokenizer, ids, TOKENIZER) == text:
            return list(ids), TOKENIZER
    except UnicodeDecodeError:
        pass
    byte_ids = byte_token_ids(tokenizer)
    if byte_ids is None:
        raise TrainzipError("the tokenizer does not give this text back byte for byte, and has no token for "
                            "each byte to fall back on (bits per byte would not be the text's)")
    return [byte_ids[byte] for byte in text], BYTES


def detokenize(tokenizer, ids, tokenization: str) -> bytes:
    """The bytes that ``ids`` stand for under ``tokenization``."""
    ids = [int(i) for i in ids]
    if tokenization == TOKENIZER:
        return tokenizer.decode(ids, clean_up_tokenization_spaces=False).encode("utf-8")
    byte_of = {token: byte for byte, token in enumerate(byte_token_ids(tokenizer))}
    return bytes(byte_of[i] for i in ids)


def windows(ids: list[int], length: int, pad: int) -> torch.Tensor:
    """(n, length) non-overlapping windows of the tokens, the last filled out with ``pad``."""
    count = -(-len(ids) // length)
    padded = torch.full((count * length,), pad, dtype=torch.int64)
    padded[:len(ids)] = torch.tensor(ids, dtype=torch.int64)
    return padded.view(count, length)
