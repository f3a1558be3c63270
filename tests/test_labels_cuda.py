"""Label streams and the meter with the model on a GPU: the same exact round trip, the GPU recorded
in the stream and checked before decoding.

CI has no GPU, so the GPU tests skip there; on a machine with one, `pytest tests/test_labels_cuda.py`
runs them (they were run on an H200 for 0.5.0).
"""

import trainzip  # noqa: F401  (first: sets MKL's and cuBLAS's reproducibility modes before torch loads)
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from trainzip import PrequentialMeter, decode_labels, encode_labels
from trainzip.errors import FingerprintError
from trainzip.labels import Schedule, read_settings
from trainzip.meter import batch_bits
from trainzip.numerics import fingerprint

needs_gpu = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU (CI has none)")


def make_mlp():
    return torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10)).cuda()


def train(model, x, y):
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(3):
        order = torch.randperm(len(x), device=x.device)
        for start in range(0, len(x), 32):
            index = order[start:start + 32]
            loss = F.cross_entropy(model(x[index]), y[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()


@pytest.fixture(scope="module")
def digits():
    """600 of scikit-learn's digits, shuffled with a fixed seed: (n, 64) float32, (n,) int64, on the CPU."""
    from sklearn.datasets import load_digits

    data = load_digits()
    order = np.random.default_rng(0).permutation(len(data.target))[:600]
    return (torch.from_numpy((data.data[order] / 16).astype(np.float32)),
            torch.from_numpy(data.target[order].astype(np.int64)))


def test_a_cpu_fingerprint_names_no_gpu():
    """Streams coded on the CPU keep their fingerprint (no GPU fields): they decode as before."""
    assert fingerprint(1, "cpu") == fingerprint(1)
    assert "gpu" not in fingerprint(1)


@needs_gpu
def test_gpu_stream_round_trips_and_records_the_gpu(digits):
    """Encode with the model on the GPU, decode by replaying training there: every label back, the
    stream's length matching the meter's bits, and the GPU named in the stream."""
    x, y = digits[0].cuda(), digits[1]
    meter = PrequentialMeter()
    stream = encode_labels(x, y, num_classes=10, make_model=make_mlp, train=train, schedule=Schedule(first=16),
                           seed=5, meter=meter)
    recorded = read_settings(stream)["fingerprint"]
    assert recorded["gpu"] == torch.cuda.get_device_name(x.device)
    assert recorded["cuda"] == torch.version.cuda
    decoded = decode_labels(stream, x, make_model=make_mlp, train=train)
    assert torch.equal(decoded, y)
    payload_bits = 8 * len(stream)
    assert meter.total_bits < payload_bits < meter.total_bits + 8 * 200  # the envelope and the coder's last word
    assert meter.total_bits < 0.85 * meter.uniform_bits  # it learned (600 labels: 0.78 of log2(10) each on an H200)


@needs_gpu
def test_gpu_stream_refuses_cpu_inputs_before_decoding(digits):
    """A stream coded on the GPU, decoded with the inputs on the CPU, would replay other arithmetic:
    refused up front, naming the GPU."""
    x, y = digits[0][:64].cuda(), digits[1][:64]
    stream = encode_labels(x, y, num_classes=10, make_model=make_mlp, train=train, schedule=Schedule(first=16))

    def never():
        raise AssertionError("decoding started")

    with pytest.raises(FingerprintError, match="gpu"):
        decode_labels(stream, x.cpu(), make_model=never, train=train)


@needs_gpu
def test_meter_counts_gpu_logits_like_cpu_ones():
    """The meter takes logits on the GPU with targets anywhere, and counts what it counts on the CPU."""
    generator = torch.Generator().manual_seed(0)
    logits = torch.randn(512, 10, generator=generator)
    targets = torch.randint(0, 10, (512,), generator=generator)
    on_gpu, samples, correct = batch_bits(logits.cuda(), targets)
    on_cpu = batch_bits(logits, targets)
    assert (samples, correct) == on_cpu[1:]
    assert on_gpu == pytest.approx(on_cpu[0], rel=1e-12)


@needs_gpu
def test_deferred_meter_on_gpu_matches_the_immediate_one():
    """Deferred, the counts stay on the GPU until read; the record is the immediate meter's."""
    generator = torch.Generator().manual_seed(1)
    batches = [(torch.randn(64, 10, generator=generator).cuda(), torch.randint(0, 10, (64,), generator=generator).cuda())
               for _ in range(40)]
    now, deferred = PrequentialMeter(), PrequentialMeter(defer=True)
    for logits, targets in batches:
        now.update(logits, targets)
        deferred.update(logits, targets)
    assert deferred._pending[0].device.type == "cuda"
    assert deferred.record() == now.record()
