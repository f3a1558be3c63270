"""Label streams fed from a plain loop (labels version 2): a fresh process decodes them, the header is
compact, the payload meets the ideal code length, and every mismatch is refused."""

import subprocess
import sys
import zlib
from pathlib import Path

import trainzip  # noqa: F401  (first: sets MKL's reproducibility mode before torch loads)
import numpy as np
import pytest
import torch

from trainzip import PrequentialMeter, encode_labels
from trainzip.errors import FingerprintError, FormatError, InputError, IntegrityError, TrainzipError, VersionError
from trainzip.labels import LabelDecoder, LabelEncoder, Schedule
from trainzip.labels import stream_header
from trainzip.labels.stream_header import header_bytes, unpack_stream

EXAMPLE = Path(__file__).parents[1] / "examples" / "label_stream_loop.py"
FIXED = torch.tensor([0.5, 0.25, 0.125, 0.125]).log()  # log-probabilities: -log2 p = 1, 2, 3, 3 bits


@pytest.fixture(scope="module")
def example():
    """examples/label_stream_loop.py as a module (its directory on the path for example_data)."""
    sys.path.insert(0, str(EXAMPLE.parent))
    try:
        import label_stream_loop
    finally:
        sys.path.remove(str(EXAMPLE.parent))
    yield label_stream_loop
    sys.modules.pop("label_stream_loop", None)
    sys.modules.pop("example_data", None)


@pytest.fixture(scope="module")
def digits_stream(example):
    """The example's digits encoded here by its plain loop: (stream bytes, encoder, meter); threads restored."""
    threads = torch.get_num_threads()
    try:
        meter = PrequentialMeter(num_classes=10)
        data, encoder = example.encode(0, meter)
    finally:
        torch.set_num_threads(threads)
    return data, encoder, meter


class FixedModel(torch.nn.Module):
    """The fixed law as a model, for the block coder."""

    def forward(self, x):
        return FIXED.expand(len(x), -1)


def fixed_loop(stream, labels=None, logits=FIXED, batch=8):
    """A loop whose model is a fixed law: 64 labels, 16 of each class, in batches of ``batch``."""
    coded = [stream.code(logits.expand(batch, -1), None if labels is None else labels[i:i + batch])
             for i in range(0, 64, batch)]
    return torch.cat(coded)


LABELS = torch.arange(4).repeat(16)


def fixed_stream(**kwargs) -> bytes:
    encoder = LabelEncoder(num_classes=4, **kwargs)
    fixed_loop(encoder, LABELS)
    return encoder.finish()


def resealed(data: bytes, at: int, value: int) -> bytes:
    """``data`` with one byte set and its CRC-32 made right again (a well-formed stream of other content)."""
    body = bytearray(data[:-4])
    body[at] = value
    return bytes(body) + zlib.crc32(body).to_bytes(4, "little")


def test_plain_loop_stream_decodes_in_a_fresh_process(example, digits_stream, tmp_path):
    """The example's 1,797 digit labels, encoded here, come back exactly from the same loop run in a new process."""
    data, _, _ = digits_stream
    path = tmp_path / "digits.tzl"
    path.write_bytes(data)
    out = subprocess.run([sys.executable, str(EXAMPLE), "decode", str(path), "--labels-out", str(tmp_path / "y.npy")],
                         check=True, capture_output=True, text=True, timeout=300).stdout
    assert "decoded 1797 labels" in out
    _, y = example.load_digits_shuffled(0)
    assert np.array_equal(np.load(tmp_path / "y.npy"), y.numpy())


def test_header_is_37_bytes_and_the_payload_meets_the_ideal(digits_stream):
    """Header and CRC: 4 magic + 1 version + 1 frequency bits + 1 (10 classes) + 2 (1,797 labels) + 3 hashes of
    8 + 4 = 37 bytes. The payload is the quantized ideal rounded up, plus at most two 32-bit words, and within
    0.1% plus 8 bytes of the meter's -log2 p (from the float logits)."""
    data, encoder, meter = digits_stream
    assert header_bytes(data) == 37
    header, _ = unpack_stream(data)
    assert (header.num_classes, header.count, header.frequency_bits) == (10, 1797, 24)
    payload_bits = 8 * (len(data) - header_bytes(data))
    assert encoder.ideal_bits <= payload_bits <= encoder.ideal_bits + 64
    assert abs(payload_bits - meter.total_bits) <= 0.001 * meter.total_bits + 64
    assert meter.total_bits < 0.8 * 1797 * np.log2(10)  # one pass: 2.4 bits a label against 3.3 uniform


def test_fixed_law_costs_the_hand_computed_bits_and_matches_the_block_coder():
    """64 labels under p = (1/2, 1/4, 1/8, 1/8): 144 ideal bits; the payload is the very bitstream the block
    coder (labels version 1) writes for the same labels and law, and decodes back to the labels."""
    data = fixed_stream()
    header, payload = unpack_stream(data)
    assert 144 <= 8 * len(payload) <= 144 + 64
    assert payload.hex() == "90d5ad5b0fa1f5d44a780e9db91d05228416797a"  # test_labels' golden bitstream
    block_stream = encode_labels(torch.zeros(64, 1), LABELS, num_classes=4, schedule=Schedule(first=8),
                                 make_model=lambda: FixedModel(), train=lambda *a: None, deterministic=False)
    assert payload.hex() in block_stream.hex()
    decoder = LabelDecoder(data)
    assert torch.equal(fixed_loop(decoder), LABELS)
    assert torch.equal(decoder.finish(), LABELS)


def test_corrupt_truncated_foreign_and_newer_streams_are_refused():
    """A flipped bit or a cut end fails the CRC-32; other magic, a container stream and version 99 are named."""
    data = fixed_stream()
    flipped = bytearray(data)
    flipped[40] ^= 0x04
    for bad in (bytes(flipped), data[:-3], data[:20], data[:5]):
        with pytest.raises(FormatError, match="corrupt|truncated"):
            LabelDecoder(bad)
    with pytest.raises(FormatError, match="wrong magic"):
        LabelDecoder(b"PK\x03\x04 a zip")
    with pytest.raises(FormatError, match="decode_labels"):
        LabelDecoder(encode_labels(torch.zeros(4, 1), torch.arange(4), num_classes=4, make_model=FixedModel,
                                   train=lambda *a: None, deterministic=False))
    with pytest.raises(VersionError, match="99"):
        LabelDecoder(resealed(data, 4, 99))
    with pytest.raises(FormatError, match="cannot be coded"):
        LabelDecoder(resealed(data, 5, 40))  # 40-bit frequencies


def test_other_numerics_are_refused_before_anything_is_read(monkeypatch):
    """A decoder whose numerics fingerprint differs (another PyTorch, here) raises FingerprintError at the
    first batch, having read nothing."""
    data = fixed_stream()
    real = stream_header.fingerprint
    monkeypatch.setattr(stream_header, "fingerprint", lambda *args: {**real(*args), "torch": "0.0.1"})
    decoder = LabelDecoder(data)
    with pytest.raises(FingerprintError, match="other numerics"):
        fixed_loop(decoder)
    assert decoder.count == 0


def test_other_inputs_or_model_are_refused_before_decoding():
    """The side hash covers the inputs and the untrained model: a changed value of either is refused."""
    x = torch.arange(12.0).reshape(4, 3)
    model = torch.nn.Linear(3, 4)
    data = fixed_stream(inputs=x, model=model)
    assert torch.equal(fixed_loop(LabelDecoder(data, inputs=x, model=model)), LABELS)
    other = x.clone()
    other[1, 1] += 0.5
    with torch.no_grad():
        changed = torch.nn.Linear(3, 4)
    for inputs, net in ((other, model), (x, changed), (None, model)):
        with pytest.raises(TrainzipError, match="not those"):
            LabelDecoder(data, inputs=inputs, model=net)


def test_a_loop_that_differs_is_refused():
    """Reading past the stream's labels, stopping short, or decoding under another law each raise."""
    data = fixed_stream()
    decoder = LabelDecoder(data)
    fixed_loop(decoder)
    with pytest.raises(TrainzipError, match="holds 64"):
        decoder.code(FIXED.expand(1, -1))
    short = LabelDecoder(data)
    short.code(FIXED.expand(8, -1))
    with pytest.raises(IntegrityError, match="8 of the stream's 64"):
        short.finish()
    other_law = LabelDecoder(data)
    fixed_loop(other_law, logits=torch.tensor([0.1, 0.2, 0.3, 0.4]).log())  # reads 64 wrong labels
    with pytest.raises(IntegrityError, match="SHA-256"):
        other_law.finish()


def test_invalid_batches_are_refused():
    """Misshapen logits, probabilities for logits, missing or out-of-range labels: refused before coding."""
    encoder = LabelEncoder(num_classes=4)
    with pytest.raises(ValueError, match="logits"):
        encoder.code(torch.zeros(2, 5), torch.zeros(2))
    with pytest.raises(InputError, match="probabilities"):
        encoder.code(torch.full((2, 4), 0.25), torch.zeros(2))
    with pytest.raises(ValueError, match="needs"):
        encoder.code(torch.zeros(2, 4))
    with pytest.raises(ValueError, match=r"\[0, 4\)"):
        encoder.code(torch.zeros(2, 4), torch.tensor([0, 4]))
    with pytest.raises(ValueError, match="classes"):
        LabelEncoder(num_classes=1)
    assert encoder.count == 0
