"""Prequential code length of MNIST's 10,000 test labels, given the images, with a real bitstream.

For each seed: encode the labels with a small network under the doubling schedule (the model is
retrained on every label so far after each block), decode them back from the bytes by replaying
the training, check they match, and print a table against the uniform code n log2 10.

    python examples/mnist_prequential.py                 # 10,000 images, 3 seeds, MLP
    python examples/mnist_prequential.py --limit 2000 --seeds 1
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time

import trainzip  # first: sets MKL's reproducibility mode before torch loads
import torch
import torch.nn.functional as F

from example_data import load_mnist_test
from trainzip.container import unpack
from trainzip.labels import Schedule


def make_mlp() -> torch.nn.Module:
    """784-256-10 MLP: small enough to retrain after every block on a CPU."""
    return torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 256), torch.nn.ReLU(),
                               torch.nn.Linear(256, 10))


def make_cnn() -> torch.nn.Module:
    """Two 5x5 conv layers (8 and 16 channels) with max-pooling, then a linear layer: 5.6k parameters."""
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 8, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),  # (B, 8, 12, 12)
        torch.nn.Conv2d(8, 16, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),  # (B, 16, 4, 4)
        torch.nn.Flatten(), torch.nn.Linear(256, 10))


MODELS = {"mlp": (make_mlp, "MLP 784-256-10"), "cnn": (make_cnn, "convnet 8-16 channels")}


def make_train(epochs: int, min_steps: int, batch: int = 64, lr: float = 1e-3):
    """A training step: Adam on the labelled prefix, ``epochs`` passes but at least ``min_steps`` steps."""

    def train(model, inputs, labels):
        optimizer = torch.optim.Adam(model.parameters(), lr=lr)
        steps = max(min_steps, epochs * math.ceil(len(inputs) / batch))
        order = torch.cat([torch.randperm(len(inputs)) for _ in range(math.ceil(steps * batch / len(inputs)))])
        for step in range(steps):
            index = order[step * batch:(step + 1) * batch]
            loss = F.cross_entropy(model(inputs[index]), labels[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    return train


def one_seed(x, y, seed: int, args) -> dict:
    """Encode, decode, verify; the figures of one seed."""
    train = make_train(args.epochs, args.min_steps)
    schedule = Schedule(kind="doubling", first=args.first)
    meter = trainzip.PrequentialMeter(num_classes=10)
    start = time.perf_counter()
    make_model = MODELS[args.model][0]
    stream = trainzip.encode_labels(x, y, num_classes=10, make_model=make_model, train=train, schedule=schedule,
                                    seed=seed, threads=args.threads, meter=meter)
    encode_s = time.perf_counter() - start
    decode_s = float("nan")
    if not args.no_verify:
        start = time.perf_counter()
        decoded = trainzip.decode_labels(stream, x, make_model=make_model, train=train)
        decode_s = time.perf_counter() - start
        if not torch.equal(decoded, y):
            sys.exit(f"seed {seed}: decoded labels differ")
    payload_bits = 8 * len(unpack(stream).blocks[0].payload)
    return {"seed": seed, "kbits": meter.total_bits / 1000, "stream_kbits": 8 * len(stream) / 1000,
            "payload_kbits": payload_bits / 1000, "ratio": meter.compression_ratio,
            "accuracy": meter.totals()["accuracy"], "encode_s": encode_s, "decode_s": decode_s,
            "uniform_kbits": meter.uniform_bits / 1000}


def spread(rows, key) -> str:
    values = [row[key] for row in rows]
    if len(values) < 2:
        return f"{values[0]:.3f}"
    return f"{statistics.mean(values):.3f} ± {statistics.stdev(values):.3f}"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="use the first N images (default: all 10,000)")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--first", type=int, default=32, help="size of the first block")
    parser.add_argument("--epochs", type=int, default=4, help="passes over the labelled prefix per block")
    parser.add_argument("--min-steps", type=int, default=100, help="at least this many optimizer steps per block")
    parser.add_argument("--model", choices=sorted(MODELS), default="mlp")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--no-verify", action="store_true", help="skip decoding")
    args = parser.parse_args(argv)

    x, y = load_mnist_test(args.limit)
    rows = [one_seed(x, y, seed, args) for seed in range(args.seeds)]
    print(f"MNIST test labels, n={len(y)}, {MODELS[args.model][1]}, doubling schedule from {args.first}, "
          f"{args.epochs} epochs (>= {args.min_steps} steps) per block, {args.threads} thread(s)")
    print(f"uniform code: {rows[0]['uniform_kbits']:.3f} kbits (n log2 10)")
    header = ("seed", "preq kbits", "payload kbits", "file kbits", "ratio", "accuracy", "encode s", "decode s")
    print(" | ".join(header))
    for row in rows:
        print(f"{row['seed']} | {row['kbits']:.3f} | {row['payload_kbits']:.3f} | {row['stream_kbits']:.3f} | "
              f"{row['ratio']:.2f} | {row['accuracy']:.4f} | {row['encode_s']:.1f} | {row['decode_s']:.1f}")
    print(" | ".join(["mean ± sd"] + [spread(rows, key) for key in
                                      ("kbits", "payload_kbits", "stream_kbits", "ratio", "accuracy",
                                       "encode_s", "decode_s")]))
    print("decoded labels identical to the originals: " + ("not checked" if args.no_verify else "yes, every seed"))


if __name__ == "__main__":
    main()
