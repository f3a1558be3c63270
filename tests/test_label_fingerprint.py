"""A label stream's fingerprint of its model and training: checked before decoding, naming what differs."""

import functools

import trainzip  # noqa: F401  (first: sets MKL's reproducibility mode before torch loads)
import pytest
import torch
import torch.nn.functional as F

from trainzip import decode_labels, encode_labels
from trainzip.errors import TrainingMismatchError
from trainzip.labels import Schedule, read_settings

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def make_mlp(hidden=16):
    return torch.nn.Sequential(torch.nn.Linear(4, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 3))


def train(model, x, y, epochs=2, lr=1e-2, optimizer="adam"):
    opt = (torch.optim.Adam if optimizer == "adam" else torch.optim.SGD)(model.parameters(), lr=lr)
    for _ in range(epochs):
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()


X = torch.randn(48, 4, generator=torch.Generator().manual_seed(0))
Y = (X[:, 0] > 0).long() + (X[:, 1] > 0).long()


@pytest.fixture(scope="module")
def stream():
    return encode_labels(X, Y, num_classes=3, make_model=make_mlp, train=train, schedule=Schedule(first=16),
                         deterministic=False)


def never_trains(*args):
    raise AssertionError("decoding started")


def test_the_stream_records_model_shapes_and_the_optimizer_with_its_settings(stream):
    """The fingerprint holds each parameter's shape, the training function and Adam's settings."""
    training = read_settings(stream)["training"]
    assert ["parameter", "0.weight", [16, 4], "float32"] in training["model"]["tensors"]
    assert training["training"]["function"] == "train"
    assert training["training"]["optimizer"]["class"] == "torch.optim.adam.Adam"
    assert training["training"]["optimizer"]["settings"]["lr"] == 1e-2
    assert training["training"]["optimizer"]["settings"]["betas"] == [0.9, 0.999]
    assert torch.equal(decode_labels(stream, X, make_model=make_mlp, train=train), Y)


@pytest.mark.parametrize(("make_model", "train_step", "message"), [
    (lambda: make_mlp(32), train, r"parameter '0.weight': shape \[16, 4\] float32 in the stream, \[32, 4\] float32 here"),
    (lambda: torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.Tanh(), torch.nn.Linear(16, 3)), train,
     r"model layers \['Sequential', 'Linear', 'ReLU', 'Linear'\] in the stream, \['Sequential', 'Linear', 'Tanh'"),
    (make_mlp, functools.partial(train, optimizer="sgd"), r"optimizer .*torch.optim.adam.Adam.* in the stream, .*SGD"),
    (make_mlp, functools.partial(train, lr=3e-3), r"'lr': 0.01.* in the stream, .*'lr': 0.003"),
    (make_mlp, lambda model, x, y: None, r"training function 'train' in the stream, '<lambda>' here"),
])
def test_another_model_or_training_is_refused_before_decoding_with_what_differs(stream, make_model, train_step, message):
    """Another architecture, layer type, optimizer, learning rate or training function: TrainingMismatchError
    naming it, raised before a single label is decoded."""
    with pytest.raises(TrainingMismatchError, match=message):
        decode_labels(stream, X, make_model=make_model, train=train_step)


def test_closure_settings_are_part_of_the_training_fingerprint():
    """make_train(epochs=3) and make_train(epochs=1) build the same function with other settings: refused."""
    def make_train(epochs):
        def train_epochs(model, x, y):
            train(model, x, y, epochs=epochs)
        return train_epochs

    stream = encode_labels(X, Y, num_classes=3, make_model=make_mlp, train=make_train(3), schedule=Schedule(first=16),
                           deterministic=False)
    with pytest.raises(TrainingMismatchError, match=r"training settings \{epochs: 3\} in the stream, \{epochs: 1\} here"):
        decode_labels(stream, X, make_model=make_mlp, train=make_train(1))
    assert torch.equal(decode_labels(stream, X, make_model=make_mlp, train=make_train(3)), Y)
