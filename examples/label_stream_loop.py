"""A label stream fed from a plain PyTorch loop: encode while it trains, decode by running it again.

One pass over scikit-learn's digits (1,797 labels, shuffled) in minibatches of 32, a small MLP
trained with Adam. Encoding, the stream is given each batch's logits and labels before the
optimizer step; decoding, the same loop gives the logits alone and trains on the labels the stream
hands back. The loop is deterministic (seeded, one thread), so a fresh process decodes exactly.

    python examples/label_stream_loop.py encode digits.tzl
    python examples/label_stream_loop.py decode digits.tzl [--labels-out labels.npy]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import trainzip  # first: sets MKL's reproducibility mode before torch loads
import numpy as np
import torch
import torch.nn.functional as F

from example_data import load_digits_shuffled
from trainzip.labels import LabelDecoder, LabelEncoder
from trainzip.labels.stream_header import header_bytes

BATCH = 32
THREADS = 1  # reductions split by thread sum in another order: both ends pin the same count


def build_model(seed: int) -> torch.nn.Module:
    """The untrained MLP, drawn from ``seed``: both ends build the same one."""
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))


def train_one_pass(stream, model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor | None = None, meter=None):
    """The plain loop: each batch is coded before the optimizer learns from it (``y`` None: decoding)."""
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    for start in range(0, len(x), BATCH):
        logits = model(x[start:start + BATCH])  # (B, 10)
        yb = stream.code(logits, None if y is None else y[start:start + BATCH])  # (B,): written, or read
        if meter is not None:
            meter.update(logits, yb)
        loss = F.cross_entropy(logits, yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return stream


def encode(seed: int = 0, meter=None) -> tuple[bytes, LabelEncoder]:
    """The digits' labels as a stream, and the encoder (for its figures)."""
    torch.set_num_threads(THREADS)
    x, y = load_digits_shuffled(seed)
    model = build_model(seed)
    stream = LabelEncoder(num_classes=10, inputs=x, model=model)
    train_one_pass(stream, model, x, y, meter)
    return stream.finish(), stream


def decode(data: bytes, seed: int = 0) -> torch.Tensor:
    """The labels back from ``data``, by running the same loop on the same inputs (labels unseen)."""
    torch.set_num_threads(THREADS)
    x, _ = load_digits_shuffled(seed)
    model = build_model(seed)
    stream = LabelDecoder(data, inputs=x, model=model)
    return train_one_pass(stream, model, x).finish()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("direction", choices=("encode", "decode"))
    parser.add_argument("path", type=Path)
    parser.add_argument("--labels-out", type=Path, help="decode: also save the labels as a .npy file")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.direction == "encode":
        meter = trainzip.PrequentialMeter(num_classes=10)
        data, stream = encode(args.seed, meter)
        args.path.write_bytes(data)
        print(f"{stream.count} labels in {len(data)} bytes ({len(data) * 8 / stream.count:.3f} bits/label)")
        print(f"  header and CRC-32   {header_bytes(data)} bytes")
        print(f"  payload             {len(data) - header_bytes(data)} bytes; ideal {stream.ideal_bits / 8:.1f} "
              f"(quantized), {meter.totals()['bits'] / 8:.1f} (the meter's -log2 p)")
        return
    labels = decode(args.path.read_bytes(), args.seed)
    if args.labels_out is not None:
        np.save(args.labels_out, labels.numpy())
    print(f"decoded {len(labels)} labels; their SHA-256 matches the stream's")


if __name__ == "__main__":
    main()
