"""A text written as the real bitstream of a causal language model's training run, and read back.

The text's bytes are cut into sequences of T tokens (a 257-token vocabulary: the 256 byte values
and one start/padding token). `trainzip.encode_tokens` trains a small recurrent LM block by block
while it range-codes every sequence one position at a time under the model as it stands; the
stream's length is the prequential code length of the text under that training (the meter's
bits) plus a fixed header. A decoder in a fresh Python process rebuilds the model from its
definition and the seed, replays the same training and gets every byte back.

    python examples/token_stream.py [--text ../shared/corpus/canterbury/grammar.lsp] [--bytes 4096]
    python examples/token_stream.py decode STREAM OUT [same options]     (what the fresh process runs)
"""

from __future__ import annotations

import argparse
import lzma
import subprocess
import sys
import time
from pathlib import Path

import trainzip  # first: sets MKL's reproducibility mode before torch loads
import torch
import torch.nn.functional as F

from trainzip.container import unpack
from trainzip.labels import Schedule

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "canterbury"
BOS = 256  # start of every sequence, and padding of the last one
VOCAB = 257


class ByteGRU(torch.nn.Module):
    """A causal LM: byte embeddings, one GRU layer, a linear read-out; (b, T) -> (b, T, 257)."""

    def __init__(self, width: int = 64):
        super().__init__()
        self.embed = torch.nn.Embedding(VOCAB, 32)
        self.gru = torch.nn.GRU(32, width, batch_first=True)
        self.out = torch.nn.Linear(width, VOCAB)

    def forward(self, contexts):
        hidden, _ = self.gru(self.embed(contexts))  # (b, T, width): position t has seen contexts[:, :t + 1]
        return self.out(hidden)


def make_train(epochs: int, batch: int = 16, lr: float = 3e-3):
    """Adam over every sequence coded so far, ``epochs`` passes, teacher-forced next-token loss."""

    def train_lm(model, contexts, tokens):
        optimizer = torch.optim.Adam(model.parameters(), lr=lr)
        for _ in range(epochs):
            order = torch.randperm(len(tokens))
            for start in range(0, len(tokens), batch):
                rows = order[start:start + batch]
                loss = F.cross_entropy(model(contexts[rows]).transpose(1, 2), tokens[rows])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()

    return train_lm


def to_sequences(text: bytes, length: int) -> torch.Tensor:
    """(n, T) tokens: the bytes in rows of T, the last row padded with BOS."""
    tokens = torch.tensor(list(text), dtype=torch.int64)
    padded = torch.cat([tokens, torch.full((-len(tokens) % length,), BOS, dtype=torch.int64)])
    return padded.view(-1, length)


def to_text(sequences: torch.Tensor) -> bytes:
    """The bytes back, padding dropped."""
    return bytes(token for token in sequences.reshape(-1).tolist() if token != BOS)


def options(args) -> dict:
    """What encoder and decoder must share: the model, the training and the schedule."""
    return {"vocab_size": VOCAB, "bos": BOS, "make_model": ByteGRU, "train": make_train(args.epochs),
            "schedule": Schedule(first=args.first)}


def encode_and_check(args) -> dict:
    """Encode the text, decode it in a fresh process, and return the figures."""
    text = Path(args.text).read_bytes()[:args.bytes]
    sequences = to_sequences(text, args.length)
    meter = trainzip.PrequentialMeter(num_classes=VOCAB)
    started = time.perf_counter()
    shared = options(args)
    stream = trainzip.encode_tokens(sequences, **{k: v for k, v in shared.items() if k != "bos"}, bos=BOS, meter=meter)
    encode_s = time.perf_counter() - started
    stream_path = Path(args.stream)
    stream_path.write_bytes(stream)
    decoded_path = stream_path.with_suffix(".decoded")
    started = time.perf_counter()
    subprocess.run([sys.executable, __file__, "decode", str(stream_path), str(decoded_path), *_shared_argv(args)],
                   check=True)
    decode_s = time.perf_counter() - started
    payload_bits = 8 * len(unpack(stream).blocks[0].payload)
    return {"text_bytes": len(text), "sequences": tuple(sequences.shape), "meter_bits": meter.total_bits,
            "payload_bits": payload_bits, "stream_bytes": len(stream), "header_bytes": len(stream) - payload_bits // 8,
            "exact": decoded_path.read_bytes() == text, "xz_bytes": len(lzma.compress(text, preset=9 | lzma.PRESET_EXTREME)),
            "encode_s": encode_s, "decode_s": decode_s}


def _shared_argv(args) -> list[str]:
    return ["--length", str(args.length), "--epochs", str(args.epochs), "--first", str(args.first)]


def parser() -> argparse.ArgumentParser:
    parsed = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parsed.add_argument("--text", default=str(CORPUS / "grammar.lsp"))
    parsed.add_argument("--bytes", type=int, default=4096)
    parsed.add_argument("--length", type=int, default=64, help="tokens per sequence (T)")
    parsed.add_argument("--epochs", type=int, default=4, help="training passes after each block")
    parsed.add_argument("--first", type=int, default=4, help="sequences in the first block (then doubling)")
    parsed.add_argument("--stream", default="text.tzt")
    return parsed


def main(argv=None) -> dict | None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "decode":  # the fresh process: the stream, the model's definition, nothing else
        args = parser().parse_args(argv[3:])
        shared = options(args)
        tokens = trainzip.decode_tokens(Path(argv[1]).read_bytes(), make_model=shared["make_model"],
                                        train=shared["train"])
        Path(argv[2]).write_bytes(to_text(tokens))
        return None
    args = parser().parse_args(argv)
    figures = encode_and_check(args)
    print(f"{Path(args.text).name}: {figures['text_bytes']:,} bytes as {figures['sequences'][0]} sequences of "
          f"{figures['sequences'][1]} tokens")
    print(f"  meter (prequential code)  {figures['meter_bits']:10.0f} bits  "
          f"({figures['meter_bits'] / figures['text_bytes']:.3f} bits per byte)")
    print(f"  stream payload            {figures['payload_bits']:10d} bits  "
          f"({100 * (figures['payload_bits'] / figures['meter_bits'] - 1):+.3f}% against the meter)")
    print(f"  stream file               {figures['stream_bytes']:10,d} bytes (header {figures['header_bytes']} bytes)")
    print(f"  xz -9e                    {figures['xz_bytes']:10,d} bytes")
    print(f"  decoded in a fresh process: {'yes, every byte' if figures['exact'] else 'NO'} "
          f"(encode {figures['encode_s']:.1f} s, decode {figures['decode_s']:.1f} s)")
    return figures


if __name__ == "__main__":
    main()
