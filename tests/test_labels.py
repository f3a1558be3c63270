"""Label streams: exact round trips by replaying training, bit counts, and the file checks."""

import importlib.util
import math

import trainzip  # noqa: F401  (first: sets MKL's reproducibility mode before torch loads)
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from trainzip import PrequentialMeter, decode_labels, encode_labels
from trainzip.container import Container, pack, unpack
from trainzip.errors import (FingerprintError, FormatError, IntegrityError, TrainingMismatchError, TrainzipError,
                             VersionError)
from trainzip.labels import Schedule, read_settings

# The model and training step both ends use; written to a file so a fresh process imports the same code.
MODELS_SOURCE = '''
import math
import torch
import torch.nn.functional as F


def make_mlp(inputs=64, hidden=32):
    return torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(inputs, hidden), torch.nn.ReLU(),
                               torch.nn.Linear(hidden, 10))


def train(model, x, y, epochs=3, batch=32):
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(epochs):
        order = torch.randperm(len(x))
        for start in range(0, len(x), batch):
            index = order[start:start + batch]
            loss = F.cross_entropy(model(x[index]), y[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
'''


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """The shared model module, imported from a file."""
    path = tmp_path_factory.mktemp("models") / "label_models.py"
    path.write_text(MODELS_SOURCE)
    spec = importlib.util.spec_from_file_location("label_models", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def digits():
    """scikit-learn's 1,797 digits, shuffled with a fixed seed: (n, 64) float32, (n,) int64."""
    from sklearn.datasets import load_digits

    data = load_digits()
    order = np.random.default_rng(0).permutation(len(data.target))
    return (torch.from_numpy((data.data[order] / 16).astype(np.float32)),
            torch.from_numpy(data.target[order].astype(np.int64)))


@pytest.fixture(scope="module")
def digits_stream(models, digits):
    """The digits' labels encoded once with a meter: (stream, meter)."""
    x, y = digits
    meter = PrequentialMeter()
    stream = encode_labels(x, y, num_classes=10, make_model=models.make_mlp, train=models.train,
                           schedule=Schedule(first=16), seed=3, meter=meter, deterministic=False)
    return stream, meter


def no_model():
    """A model factory that must never run: proves a check happened before decoding started."""
    raise AssertionError("decoding started")


class Fixed(torch.nn.Module):
    """A predictor that ignores its inputs and never learns: p = softmax(logits) for every sample."""

    def __init__(self, probabilities):
        super().__init__()
        self.logits = torch.tensor(probabilities, dtype=torch.float64).log()

    def forward(self, x):
        return self.logits.expand(len(x), -1)


def test_schedule_boundaries():
    """Doubling blocks end at first, 2 first, 4 first, ..., n; fixed blocks every `first` samples;
    Voita & Titov's at 0.1% ... 100%."""
    assert Schedule(first=3).boundaries(20) == [3, 6, 12, 20]
    assert Schedule(first=3).boundaries(12) == [3, 6, 12]
    assert Schedule(first=50).boundaries(20) == [20]
    assert Schedule(kind="fixed", first=5).boundaries(12) == [5, 10, 12]
    assert Schedule(kind="fixed", first=5).boundaries(10) == [5, 10]
    assert Schedule(kind="voita").boundaries(1000) == [1, 2, 4, 8, 16, 32, 62, 125, 250, 500, 1000]
    assert Schedule.from_dict(Schedule(kind="fixed", first=7).to_dict()) == Schedule(kind="fixed", first=7)
    with pytest.raises(FormatError):
        Schedule.from_dict({"kind": "doubling"})
    with pytest.raises(ValueError):
        Schedule(kind="halving")


def test_fixed_predictor_stream_costs_the_hand_computed_bits():
    """A fixed p = (1/2, 1/4, 1/8, 1/8) on 64 labels, 16 of each class: 16 (1 + 2 + 3 + 3) = 144 bits,
    so the meter reads 144 and the payload is 144 bits rounded up to 32-bit words, plus at most one word."""
    labels = torch.arange(4).repeat(16)
    meter = PrequentialMeter()
    stream = encode_labels(torch.zeros(64, 1), labels, num_classes=4, schedule=Schedule(first=8),
                           make_model=lambda: Fixed([0.5, 0.25, 0.125, 0.125]), train=lambda *a: None, meter=meter,
                           deterministic=False)
    assert meter.total_bits == pytest.approx(144.0, abs=1e-9)
    payload_bits = 8 * len(unpack(stream).blocks[0].payload)
    assert 144 <= payload_bits <= 144 + 64
    # Golden bitstream: changing it changes every label stream, which needs a new labels_version.
    assert unpack(stream).blocks[0].payload.hex() == "90d5ad5b0fa1f5d44a780e9db91d05228416797a"
    decoded = decode_labels(stream, torch.zeros(64, 1), make_model=lambda: Fixed([0.5, 0.25, 0.125, 0.125]),
                            train=lambda *a: None)
    assert torch.equal(decoded, labels)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(1, 60), st.integers(2, 40), st.sampled_from(["doubling", "fixed", "voita"]),
       st.integers(1, 9))
def test_any_labels_round_trip_under_any_predictions(seed, n, classes, kind, first):
    """Random labels under random (even confidently wrong) per-sample predictions decode back exactly,
    for every schedule; the inputs are the logits and the model is the identity."""
    generator = torch.Generator().manual_seed(seed)
    logits = torch.randn(n, classes, generator=generator, dtype=torch.float64) * 8
    labels = torch.randint(0, classes, (n,), generator=generator)
    options = dict(make_model=torch.nn.Identity, train=lambda *a: None)
    stream = encode_labels(logits, labels, num_classes=classes, schedule=Schedule(kind=kind, first=first),
                           seed=seed, deterministic=False, **options)
    assert torch.equal(decode_labels(stream, logits, **options), labels)


def test_digits_round_trip_and_metadata(models, digits, digits_stream):
    """Decoding by replay gives the digits' labels back exactly; the metadata records the contract."""
    x, y = digits
    stream, _ = digits_stream
    assert torch.equal(decode_labels(stream, x, make_model=models.make_mlp, train=models.train), y)
    settings = read_settings(stream)
    assert settings["kind"] == "labels"
    assert settings["schedule"] == {"kind": "doubling", "first": 16}
    assert (settings["seed"], settings["num_classes"], settings["n"], settings["threads"]) == (3, 10, len(y), 1)
    assert settings["fingerprint"]["threads"] == 1


def test_stream_length_matches_the_meter(digits, digits_stream):
    """The payload is within 0.1% plus 8 bytes of the meter's bits, and far below n log2 10."""
    stream, meter = digits_stream
    payload_bits = 8 * len(unpack(stream).blocks[0].payload)
    assert abs(payload_bits - meter.total_bits) <= 0.001 * meter.total_bits + 64
    assert meter.total_bits < 0.4 * len(digits[1]) * math.log2(10)


def test_decoder_meter_reads_what_the_encoder_metered(models, digits, digits_stream):
    """A meter given to the decoder sees the same logits and labels, so it records the same bits."""
    x, _ = digits
    stream, encoder_meter = digits_stream
    decoder_meter = PrequentialMeter()
    decode_labels(stream, x, make_model=models.make_mlp, train=models.train, meter=decoder_meter)
    assert decoder_meter.record() == encoder_meter.record()


def test_caller_numerics_are_restored(models, digits):
    """Encoding fixes threads, determinism and the RNG only while it runs; the caller's settings come back."""
    x, y = digits
    threads = torch.get_num_threads()
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    encode_labels(x[:40], y[:40], num_classes=10, make_model=models.make_mlp, train=models.train,
                  schedule=Schedule(first=20), threads=1, deterministic=True)
    assert torch.equal(torch.rand(3), expected)
    assert torch.get_num_threads() == threads
    assert not torch.are_deterministic_algorithms_enabled()


@pytest.fixture(scope="module")
def small_stream(models, digits):
    """A short stream for the error tests."""
    x, y = digits
    return encode_labels(x[:64], y[:64], num_classes=10, make_model=models.make_mlp, train=models.train,
                         schedule=Schedule(first=32), deterministic=False)


def repacked(stream, **changes):
    """The stream with metadata entries changed, checksums recomputed (a well-formed but altered file)."""
    container = unpack(stream)
    return pack(Container({**container.metadata, **changes}, container.original_length,
                          container.original_digest, container.blocks))


def decode(stream, x, **kwargs):
    return decode_labels(stream, x, make_model=kwargs.pop("make_model", no_model), train=lambda *a: None, **kwargs)


def test_foreign_truncated_and_corrupt_streams_are_refused(digits, small_stream):
    """Wrong magic, a cut-off file and a flipped payload bit each raise FormatError before decoding."""
    x = digits[0][:64]
    with pytest.raises(FormatError, match="not a trainzip file"):
        decode(b"PK\x03\x04 definitely a zip", x)
    with pytest.raises(FormatError, match="truncated"):
        decode(small_stream[:-3], x)
    flipped = bytearray(small_stream)
    flipped[-6] ^= 0x10
    with pytest.raises(FormatError, match="corrupt"):
        decode(bytes(flipped), x)


def test_other_kinds_and_versions_are_refused(digits, small_stream):
    """A valid container of another kind is FormatError; a newer label-stream version is VersionError."""
    x = digits[0][:64]
    with pytest.raises(FormatError, match="not a label stream"):
        decode(repacked(small_stream, kind="file"), x)
    with pytest.raises(VersionError):
        decode(repacked(small_stream, labels_version=99), x)


def test_fingerprint_is_checked_before_decoding_starts(digits, small_stream):
    """A stream written under other numerics raises FingerprintError without building a model."""
    x = digits[0][:64]
    foreign = {**read_settings(small_stream)["fingerprint"], "torch": "0.0.1"}
    with pytest.raises(FingerprintError, match="torch"):
        decode(repacked(small_stream, fingerprint=foreign), x)


def test_other_inputs_are_refused_before_decoding(digits, small_stream):
    """Inputs other than those encoded with (a changed pixel, or a different count) raise TrainzipError."""
    x = digits[0][:64].clone()
    x[5, 5] += 0.5
    with pytest.raises(TrainzipError, match="not those"):
        decode(small_stream, x)
    with pytest.raises(TrainzipError, match="not those"):
        decode(small_stream, digits[0][:65])


def test_a_different_model_is_named_before_decoding_or_fails_the_checksum(models, digits, small_stream):
    """Another initialisation is refused before decoding by the stream's fingerprint; with that check
    off, replaying it decodes other labels, caught by the SHA-256 as IntegrityError."""
    x = digits[0][:64]

    def other_model():
        torch.manual_seed(99)
        return models.make_mlp()

    with pytest.raises(TrainingMismatchError, match="initial weights differ"):
        decode_labels(small_stream, x, make_model=other_model, train=models.train)
    with pytest.raises((IntegrityError, FormatError)):
        decode_labels(small_stream, x, make_model=other_model, train=models.train, check_training=False)


def test_invalid_labels_are_refused(models, digits):
    """Labels outside [0, K) or of the wrong length raise ValueError before anything is coded."""
    x, y = digits
    with pytest.raises(ValueError, match="lie in"):
        encode_labels(x[:4], torch.tensor([0, 1, 10, 2]), num_classes=10, make_model=no_model, train=None)
    with pytest.raises(ValueError, match="labels for"):
        encode_labels(x[:4], y[:3], num_classes=10, make_model=no_model, train=None)


MNIST = __import__("pathlib").Path(__file__).parents[1] / ".." / "shared" / "datasets" / "mnist"
DECODE_SCRIPT = '''
import sys
import trainzip
import numpy as np
sys.path.insert(0, sys.argv[1])
import label_models
from _labels_mnist_data import load
x, _ = load()
stream = open(sys.argv[2], "rb").read()
labels = trainzip.decode_labels(stream, x, make_model=lambda: label_models.make_mlp(784), train=label_models.train)
np.save(sys.argv[3], labels.numpy())
'''
MNIST_LOADER = f'''
import gzip
import numpy as np
import torch

def idx(path):
    raw = gzip.open(path, "rb").read()
    dims = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)

def load(n=2000):
    images = idx({str(MNIST / "t10k-images-idx3-ubyte.gz")!r})[:n]
    labels = idx({str(MNIST / "t10k-labels-idx1-ubyte.gz")!r})[:n]
    return torch.from_numpy(images.astype(np.float32) / 255), torch.from_numpy(labels.astype(np.int64))
'''


@pytest.mark.skipif(not MNIST.is_dir(), reason="../shared/datasets/mnist is absent")
def test_mnist_labels_decode_in_a_fresh_process(tmp_path):
    """2,000 real MNIST labels, encoded here with the default (deterministic) settings, come back exactly
    from a decoder in a new Python process; the stream is within 0.1% plus 8 bytes of the meter and far
    below n log2 10."""
    import subprocess
    import sys

    (tmp_path / "label_models.py").write_text(MODELS_SOURCE)
    (tmp_path / "_labels_mnist_data.py").write_text(MNIST_LOADER)
    sys.path.insert(0, str(tmp_path))
    try:
        import label_models
        import _labels_mnist_data as mnist_data
    finally:
        sys.path.remove(str(tmp_path))
    x, y = mnist_data.load()
    meter = PrequentialMeter()
    stream = encode_labels(x, y, num_classes=10, make_model=lambda: label_models.make_mlp(784),
                           train=label_models.train, schedule=Schedule(first=32), seed=1, meter=meter)
    (tmp_path / "labels.tzl").write_bytes(stream)
    subprocess.run([sys.executable, "-c", DECODE_SCRIPT, str(tmp_path), str(tmp_path / "labels.tzl"),
                    str(tmp_path / "decoded.npy")], check=True, timeout=300)
    assert np.array_equal(np.load(tmp_path / "decoded.npy"), y.numpy())
    payload_bits = 8 * len(unpack(stream).blocks[0].payload)
    assert abs(payload_bits - meter.total_bits) <= 0.001 * meter.total_bits + 64
    assert meter.total_bits < 0.4 * meter.uniform_bits
    assert read_settings(stream)["deterministic"] is True
