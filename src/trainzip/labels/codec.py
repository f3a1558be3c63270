"""Label bitstreams: encode a dataset's labels given its inputs, decode them by replaying training.

The message is the labels; the inputs are side information both ends hold. Both directions build
the model from the same seed and run the same prequential loop (`trainzip.prequential.run`)
through an encoding or a decoding channel, so the decoder retrains exactly the model the encoder
trained and reads each block with the same probabilities. The result is a self-describing
container (kind "labels") with the numerics fingerprint, the schedule, the seed, and SHA-256
prefixes of the labels (checked after decoding) and of the inputs (checked before), and a
fingerprint of the model and the training (`labels.fingerprint`, checked before decoding).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextlib import contextmanager

import numpy as np
import torch

from trainzip.coding.channel import DecodeChannel, EncodeChannel
from trainzip.container.layout import DIGEST_BYTES, Block, Container, pack, unpack
from trainzip.errors import FormatError, IntegrityError, TrainingMismatchError, TrainzipError, VersionError
from trainzip.labels.fingerprint import differences as fingerprint_differences
from trainzip.labels.fingerprint import fingerprint as training_fingerprint
from trainzip.labels.learner import LabelLearner, TrainStep
from trainzip.labels.schedule import Schedule
from trainzip.numerics import check_fingerprint, fingerprint, use_threads
from trainzip.prequential import run

KIND = "labels"
LABELS_VERSION = 1
LABEL_FREQUENCY_BITS = 24
"""Label streams code with 24-bit frequencies (constriction's own precision), not the 16 the byte
codec uses: 16 bits cap a label's cost at 16 bits, so a confidently wrong model is coded more
cheaply than its cross-entropy says (1.4% of the total for an MLP on MNIST), and the stream would
stop matching the meter. At 24 bits they agree to within the coder's final word."""
ModelFactory = Callable[[], torch.nn.Module]
PLACEHOLDER_ROWS = 16  # rows of the first block the fingerprint's dry run trains on, with placeholder labels


def labels_digest(labels: torch.Tensor) -> bytes:
    """SHA-256 of the labels as little-endian int64 (the container keeps its first DIGEST_BYTES bytes)."""
    return hashlib.sha256(np.asarray(labels, dtype="<i8").tobytes()).digest()[:DIGEST_BYTES]


def inputs_sha256(inputs: torch.Tensor) -> str:
    """First 8 bytes (hex) of the SHA-256 of the inputs' dtype, shape and bytes.

    Decoding with other inputs than the encoder's then fails before it starts, instead of
    replaying a whole training run into a checksum error; 64 bits keep the header short.
    """
    digest = hashlib.sha256(f"{inputs.dtype}{tuple(inputs.shape)}".encode())
    digest.update(inputs.detach().cpu().contiguous().numpy().tobytes())  # the same bytes on any device
    return digest.hexdigest()[:16]


@contextmanager
def fixed_numerics(threads: int, deterministic: bool, device: torch.device):
    """Fixed thread count, deterministic kernels, a private RNG (the GPU's too, where the model runs
    on one); the caller's settings come back after.

    The deterministic flag is only touched when it must change: the first call to
    `torch.use_deterministic_algorithms` imports TorchInductor's config (seconds on a small CPU).
    """
    saved_threads = torch.get_num_threads()
    saved = (torch.are_deterministic_algorithms_enabled(), torch.is_deterministic_algorithms_warn_only_enabled())
    switch = saved != (deterministic, False)
    with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
        try:
            use_threads(threads)
            if switch:
                torch.use_deterministic_algorithms(deterministic)
            yield
        finally:
            torch.set_num_threads(saved_threads)
            if switch:
                torch.use_deterministic_algorithms(saved[0], warn_only=saved[1])


def record_or_check_training(settings: dict, model, train: TrainStep, inputs, placeholder_labels) -> None:
    """Record the model's and training's fingerprint (encoding: ``settings`` has none yet), or check
    it against the recorded one (decoding) and raise TrainingMismatchError naming each difference.

    Streams written before the fingerprint existed carry none, and decode as they always did.
    """
    current = training_fingerprint(model, train, inputs, placeholder_labels)
    if settings.get("training") is None:
        settings["training"] = current
        return
    found = fingerprint_differences(settings["training"], current)
    if found:
        raise TrainingMismatchError("this decoder's model or training differs from the encoder's: " + "; ".join(found)
                                    + " (nothing was decoded)")


def _replay(channel, inputs, settings: dict, make_model: ModelFactory, train: TrainStep, labels=None, meter=None,
            check: bool = True):
    """The one code path of both directions: seed, build the model, run the prequential loop."""
    ends = Schedule.from_dict(settings["schedule"]).boundaries(settings["n"])
    symbols = None if labels is None else [labels[a:b].numpy() for a, b in zip([0] + ends[:-1], ends)]
    with fixed_numerics(settings["threads"], settings["deterministic"], inputs.device):
        torch.manual_seed(settings["seed"])
        model = make_model()
        if check:
            sample = min(ends[0], PLACEHOLDER_ROWS)
            record_or_check_training(settings, model, train, inputs[:sample],
                                     torch.zeros(sample, dtype=torch.int64, device=inputs.device))
        learner = LabelLearner(model, train, inputs, ends, num_classes=settings["num_classes"],
                               seed=settings["seed"], eval_batch=settings["eval_batch"], meter=meter,
                               frequency_bits=settings["frequency_bits"])
        run(learner, channel, len(ends), symbols)
    return learner.labels


def _as_inputs(inputs) -> torch.Tensor:
    inputs = torch.as_tensor(inputs)
    if inputs.dim() < 1 or not len(inputs):
        raise ValueError("inputs must hold at least one sample along their first dimension")
    return inputs


def encode_labels(inputs, labels, *, num_classes: int, make_model: ModelFactory, train: TrainStep,
                  schedule: Schedule = Schedule(), seed: int = 0, threads: int = 1, eval_batch: int = 1024,
                  deterministic: bool = True, frequency_bits: int = LABEL_FREQUENCY_BITS, meter=None) -> bytes:
    """Encode ``labels`` given ``inputs`` into a self-describing label stream.

    Args:
        inputs: (n, ...) tensor (or array) of inputs; the decoder needs the very same, on the same
            kind of device. The model runs where they are: on a GPU the stream records which (name,
            capability, CUDA, cuDNN) and decodes only on the same, with deterministic kernels.
        labels: (n,) integer classes in [0, num_classes).
        num_classes: K, the label alphabet.
        make_model: builds the untrained model (called right after ``torch.manual_seed(seed)``);
            it predicts each block in eval mode, in forward batches of ``eval_batch``.
        train: train(model, inputs[:end], labels[:end]) after each block but the last, in train
            mode; it must be deterministic given the global RNG, which is reseeded before each
            call (seed + block index), and must not depend on anything the decoder lacks.
        schedule: where blocks end; the doubling schedule by default.
        seed, threads, eval_batch, deterministic, frequency_bits: what the decoder replays (all recorded).
        meter: optional `PrequentialMeter`, given each block's logits and labels.

    Returns:
        The label stream's bytes.
    """
    inputs = _as_inputs(inputs)
    labels = torch.as_tensor(labels).detach().cpu().long().reshape(-1)
    if len(labels) != len(inputs):
        raise ValueError(f"{len(labels)} labels for {len(inputs)} inputs")
    if num_classes < 2 or (len(labels) and (labels.min() < 0 or labels.max() >= num_classes)):
        raise ValueError(f"labels must lie in [0, {num_classes}) with at least 2 classes")
    settings = {
        "kind": KIND, "labels_version": LABELS_VERSION, "schedule": schedule.to_dict(), "seed": seed,
        "num_classes": num_classes, "n": len(labels), "threads": threads, "eval_batch": eval_batch,
        "deterministic": deterministic, "frequency_bits": frequency_bits, "inputs_sha256": inputs_sha256(inputs),
        "fingerprint": fingerprint(threads, inputs.device),
    }
    channel = EncodeChannel(frequency_bits)
    _replay(channel, inputs, settings, make_model, train, labels=labels, meter=meter)
    container = Container(settings, len(labels), labels_digest(labels), [Block(len(labels), channel.finish())])
    return pack(container)


def read_settings(data: bytes) -> dict:
    """Check a label stream's structure and return its settings (FormatError/VersionError if unfit)."""
    return _read(data)[1]


def read_stream(data: bytes, *, kind: str, version_key: str, version: int, needed: tuple[str, ...],
                what: str) -> tuple[Container, dict]:
    """Unpack a stream of ``kind`` and check its version and settings (FormatError, VersionError)."""
    container = unpack(data)
    settings = container.metadata
    if settings.get("kind") != kind:
        raise FormatError(f"not a {what} (its kind is {settings.get('kind')!r})")
    if settings.get(version_key) != version:
        raise VersionError(f"unsupported {what} version {settings.get(version_key)!r} (this trainzip reads {version})")
    missing = [key for key in needed if key not in settings]
    if missing or len(container.blocks) != 1:
        raise FormatError(f"corrupt {what}: its settings are incomplete ({', '.join(missing) or 'blocks'})")
    return container, settings


def _read(data: bytes) -> tuple[Container, dict]:
    needed = ("schedule", "seed", "num_classes", "n", "threads", "eval_batch", "deterministic",
              "frequency_bits", "inputs_sha256", "fingerprint")
    container, settings = read_stream(data, kind=KIND, version_key="labels_version", version=LABELS_VERSION,
                                      needed=needed, what="label stream")
    if container.original_length != settings["n"]:
        raise FormatError("corrupt label stream: its settings are incomplete (blocks)")
    return container, settings


def decode_labels(data: bytes, inputs, *, make_model: ModelFactory, train: TrainStep,
                  ignore_fingerprint: bool = False, check_training: bool = True, meter=None) -> torch.Tensor:
    """Decode a label stream by replaying training on ``inputs``; returns the (n,) int64 labels.

    Args:
        check_training: compare the model and training with the stream's fingerprint of them
            before decoding (False: skip it, e.g. after renaming the training function).

    Raises:
        FormatError, VersionError: the data is not a readable label stream.
        FingerprintError: this machine's numerics differ from the encoder's (checked before decoding).
        TrainingMismatchError: the model or training differs from the encoder's (checked before decoding).
        TrainzipError: the inputs are not those the labels were encoded with.
        IntegrityError: the decoded labels do not match the recorded SHA-256.
    """
    container, settings = _read(data)
    inputs = _as_inputs(inputs)
    if not ignore_fingerprint:
        check_fingerprint(settings["fingerprint"], inputs.device)
    if len(inputs) != settings["n"] or inputs_sha256(inputs) != settings["inputs_sha256"]:
        raise TrainzipError(f"these inputs ({len(inputs)} samples, shape {tuple(inputs.shape)}) are not those "
                            f"the labels were encoded with ({settings['n']} samples)")
    channel = DecodeChannel(container.blocks[0].payload, settings["frequency_bits"])
    labels = _replay(channel, inputs, settings, make_model, train, meter=meter, check=check_training)
    if labels_digest(labels) != container.original_digest:
        raise IntegrityError("decoded labels do not match the recorded SHA-256 "
                             "(a different model, training step or numerics than the encoder's)")
    return labels
