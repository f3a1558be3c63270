"""Real datasets for the examples: MNIST's 10,000 test images from ../shared, or scikit-learn's digits.

MNIST comes in the idx format (big-endian header, then raw uint8), gzipped; reading it takes
no extra package.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import torch

MNIST_DIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "datasets" / "mnist"


def read_idx(path: Path) -> np.ndarray:
    """An idx file (gzipped) as a numpy array of its declared shape."""
    with gzip.open(path, "rb") as handle:
        raw = handle.read()
    dims = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_mnist_test(limit: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """(n, 1, 28, 28) float32 images in [0, 1] and (n,) int64 labels, in the file's order."""
    images = read_idx(MNIST_DIR / "t10k-images-idx3-ubyte.gz")[:limit]
    labels = read_idx(MNIST_DIR / "t10k-labels-idx1-ubyte.gz")[:limit]
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    return x, torch.from_numpy(labels.astype(np.int64))


def load_digits_shuffled(seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """scikit-learn's 1,797 8x8 digits as (n, 64) float32 in [0, 1] and (n,) int64 labels, shuffled."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    order = np.random.default_rng(seed).permutation(len(digits.target))
    x = torch.from_numpy((digits.data[order] / 16.0).astype(np.float32))
    return x, torch.from_numpy(digits.target[order].astype(np.int64))
