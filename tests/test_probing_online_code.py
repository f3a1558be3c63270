"""The online code of MDL probing: its arithmetic, its determinism, and a task with a known answer."""

import gzip
import math
import os

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits

from trainzip.probing import (
    TrainingConfig,
    UniformProbe,
    online_codelength,
    online_codelength_seeds,
    probe_record,
)

MNIST_DIR = "/work/shared/datasets/mnist"
CONTROL_SEED = 12345
SMALL_BUDGET = TrainingConfig(max_steps=30, eval_every=10)  # for tests of arithmetic, not of learning


@pytest.fixture(autouse=True)
def one_thread():
    """One PyTorch thread: reproducible sums, and fair to a shared two-core machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


class LaplaceCounts:
    """A trivial probe that ignores features: p(k) = (count of k seen + 1) / (seen + K)."""

    def __init__(self, labels, n_classes):
        self.log2_p = np.log2((np.bincount(labels, minlength=n_classes) + 1) / (len(labels) + n_classes))

    def log2_probabilities(self, features):
        return np.tile(self.log2_p, (len(features), 1))


def laplace_trainer(features, labels, n_classes, seed):
    """Trainer for LaplaceCounts (the signature online_codelength expects)."""
    return LaplaceCounts(labels, n_classes)


def test_online_code_with_a_counting_probe_matches_a_hand_computation():
    """Labels 1,1 | 1,0 | 1,1,1,1 with Laplace counts cost 2 + (log2 4/3 + 2) + 4 log2 3/2 bits."""
    labels = np.array([1, 1, 1, 0, 1, 1, 1, 1])
    result = online_codelength(np.zeros((8, 1)), labels, probe=laplace_trainer, schedule=[2, 4, 8], shuffle=False)
    expected = [2.0, math.log2(4 / 3) + 2.0, 4 * math.log2(3 / 2)]
    assert [block.bits for block in result.blocks] == pytest.approx(expected, rel=1e-12)
    assert result.online_bits == pytest.approx(sum(expected), rel=1e-12)
    assert result.uniform_bits == 8.0
    assert result.compression == pytest.approx(8.0 / sum(expected), rel=1e-12)


def test_final_model_regret_and_absorbed_bits_by_hand():
    """The final counting probe sees all 8 labels (seven 1s): it codes them in 7 log2(10/8) + log2(10/2) bits."""
    labels = np.array([1, 1, 1, 0, 1, 1, 1, 1])
    result = online_codelength(np.zeros((8, 1)), labels, probe=laplace_trainer, schedule=[2, 4, 8], shuffle=False,
                               final_model=True)
    final = 7 * math.log2(10 / 8) + math.log2(10 / 2)
    assert result.final_model_bits == pytest.approx(final, rel=1e-12)
    assert result.regret_bits == pytest.approx(result.online_bits - final, rel=1e-12)
    assert result.absorbed_bits == pytest.approx(8.0 - final, rel=1e-12)
    assert online_codelength(np.zeros((8, 1)), labels, probe=laplace_trainer, schedule=[2, 4, 8]).regret_bits is None


def test_public_api_is_what_all_lists():
    """Every name in trainzip.probing.__all__ and trainzip.reports.__all__ exists."""
    import trainzip.probing
    import trainzip.reports

    for module in (trainzip.probing, trainzip.reports):
        assert all(hasattr(module, name) for name in module.__all__)


def test_first_block_is_the_uniform_code_exactly():
    """Block 1 costs n_1 log2 K bits exactly, whatever the probe, and every block records its uniform code."""
    features, labels = load_digits(return_X_y=True)
    result = online_codelength(features[:200], labels[:200], probe="linear", schedule="doubling", seed=3, config=SMALL_BUDGET)
    first = result.blocks[0]
    assert (first.start, first.end) == (0, 8)
    assert first.bits == 8 * math.log2(10)
    assert all(block.uniform_bits == block.samples * math.log2(10) for block in result.blocks)
    assert result.uniform_bits == 200 * math.log2(10)


def test_uniform_probe_codes_at_exactly_the_uniform_rate():
    """A probe that always says 1/K compresses by exactly 1 (the online code equals the uniform code)."""
    labels = np.arange(50) % 5
    result = online_codelength(np.zeros((50, 2)), labels, probe=lambda x, y, k, s: UniformProbe(k), schedule="voita")
    assert result.online_bits == pytest.approx(50 * math.log2(5), rel=1e-12)
    assert result.compression == pytest.approx(1.0, rel=1e-12)


def test_a_seed_reproduces_a_run_and_another_seed_differs():
    """Same seed, same bits to the last digit; another seed reorders the data and changes them."""
    features, labels = load_digits(return_X_y=True)

    def run(seed):
        return online_codelength(features[:150], labels[:150], probe="mlp", schedule="doubling", seed=seed, config=SMALL_BUDGET)

    assert run(1).online_bits == run(1).online_bits
    assert run(1).online_bits != run(2).online_bits


def test_real_labels_compress_far_better_than_shuffled_ones_on_digits():
    """Known answer: digits' pixels predict the digit; shuffled labels (control) keep only their counts.

    Measured (linear, doubling, seed 0): real compression about 7, control about 0.9.
    """
    features, labels = load_digits(return_X_y=True)
    control = np.random.default_rng(CONTROL_SEED).permutation(labels)
    real = online_codelength(features, labels, probe="linear", schedule="doubling", seed=0)
    shuffled = online_codelength(features, control, probe="linear", schedule="doubling", seed=0)
    assert real.compression > 4.0
    assert shuffled.compression < 1.2
    assert real.online_bits < 0.25 * shuffled.online_bits


def _read_idx(path):
    """An IDX array (MNIST's format) from a .gz file."""
    with gzip.open(path, "rb") as handle:
        data = handle.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


@pytest.mark.skipif(not os.path.isdir(MNIST_DIR), reason="shared MNIST data (/work/shared/datasets/mnist) is absent")
def test_real_labels_compress_far_better_than_shuffled_ones_on_mnist():
    """The same known answer on 1,000 real MNIST test images (784 raw pixels, linear probe)."""
    images = _read_idx(os.path.join(MNIST_DIR, "t10k-images-idx3-ubyte.gz"))[:1000].reshape(1000, -1)
    labels = _read_idx(os.path.join(MNIST_DIR, "t10k-labels-idx1-ubyte.gz"))[:1000].astype(np.int64)
    control = np.random.default_rng(CONTROL_SEED).permutation(labels)
    real = online_codelength(images, labels, probe="linear", schedule="doubling", seed=0)
    shuffled = online_codelength(images, control, probe="linear", schedule="doubling", seed=0)
    assert real.compression > 2.0
    assert real.online_bits < 0.5 * shuffled.online_bits


def test_seed_spread_is_the_mean_and_sample_std_of_the_runs():
    """online_codelength_seeds reports mean and sample std (ddof=1) of each seed's totals."""
    labels = np.arange(40) % 4
    spread = online_codelength_seeds(np.zeros((40, 1)), labels, seeds=(0, 1, 2), probe=laplace_trainer, schedule="doubling")
    online = [run.online_bits for run in spread.runs]
    assert spread.online_bits == pytest.approx((np.mean(online), np.std(online, ddof=1)))
    assert spread.online_bits[1] > 0  # orders differ by seed, so do the codes
    assert spread.block_bits()[0] == pytest.approx((8 * 2.0, 0.0))  # block 1: uniform, 8 samples x 2 bits


def test_probe_record_has_the_promised_keys_and_sums():
    """The --json record: the run-record schema plus uniform_bits, online_bits, compression, blocks, seeds."""
    labels = np.arange(40) % 4
    spread = online_codelength_seeds(np.zeros((40, 1)), labels, seeds=(0, 1), probe=laplace_trainer, schedule="voita")
    record = probe_record(spread, data="toy")
    assert {"uniform_bits", "online_bits", "compression", "blocks", "seeds"} <= set(record)
    assert (record["format"], record["kind"], record["unit"], record["symbol"]) == ("trainzip.run/1", "probe", "bits", "sample")
    assert sum(step["bits"] for step in record["steps"]) == pytest.approx(record["totals"]["bits"])
    assert record["online_bits"] == pytest.approx(spread.online_bits[0])
    assert [seed["seed"] for seed in record["seeds"]] == [0, 1]
    assert record["blocks"][0]["code"] == "uniform" and record["blocks"][-1]["end"] == 40


@pytest.mark.parametrize(
    ("features", "labels", "options", "message"),
    [
        (np.zeros((4, 2)), np.array([0, 1, 0]), {}, "expected features"),
        (np.zeros((4, 2)), np.array([0, 1, 0, -1]), {}, "non-negative"),
        (np.zeros((4, 2)), np.array([0, 1, 0, 3]), {"n_classes": 3}, "0..K-1"),
        (np.zeros((4, 2)), np.array([0, 1, 0, 1]), {"schedule": [2, 3]}, "block ends"),
        (np.zeros((4, 2)), np.array([0, 1, 0, 1]), {"probe": "transformer"}, "unknown probe"),
        (np.full((4, 2), np.nan), np.array([0, 1, 0, 1]), {}, "finite"),
    ],
)
def test_bad_inputs_are_refused_before_any_training(features, labels, options, message):
    """Each malformed input is a ValueError that says what is wrong."""
    with pytest.raises(ValueError, match=message):
        online_codelength(features, labels, **options)
