"""Bits per byte of a causal language model on a text, with the real bitstream as the proof.

`text_tokens` turns the text into tokens and back exactly, `online` is the step that lets the
model go on learning as it reads, `loading` opens a local model, and `text_stream` joins them to
the token streams of `trainzip.labels.tokens`.
"""

from trainzip.language_models.text_stream import decode_text, encode_text

__all__ = ["decode_text", "encode_text"]
