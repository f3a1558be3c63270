"""Bad inputs to the meter and to label streams: each gets one clear error naming its cause."""

import math

import trainzip  # noqa: F401  (first: sets MKL's reproducibility mode before torch loads)
import pytest
import torch

from trainzip import PrequentialMeter
from trainzip.errors import InputError
from trainzip.labels import Schedule


def test_nan_and_infinite_logits_are_refused_not_summed():
    """A row of NaN or inf logits raises InputError naming the batch; nothing of that batch is counted."""
    meter = PrequentialMeter()
    meter.update(torch.zeros(2, 3), torch.tensor([0, 1]))
    logits = torch.zeros(3, 3)
    logits[1, 2] = float("nan")
    with pytest.raises(InputError, match=r"batch 1: 1 row\(s\) of logits hold NaN or infinite"):
        meter.update(logits, torch.tensor([0, 1, 2]))
    logits[1, 2] = float("inf")
    with pytest.raises(InputError, match="NaN or infinite"):
        meter.update(logits, torch.tensor([0, 1, 2]))
    assert (meter.total_samples, meter.batches) == (2, 1)


def test_nan_logits_in_padding_rows_do_not_matter():
    """Padding rows are not coded, so their logits may be anything."""
    logits = torch.zeros(2, 4)
    logits[1] = float("nan")
    assert PrequentialMeter().update(logits, torch.tensor([3, -100])) == pytest.approx(2.0)


def test_probabilities_instead_of_logits_are_refused():
    """Softmax outputs (rows in [0, 1] summing to 1) are refused; log-probabilities and one-hot logits are fine."""
    probabilities = torch.softmax(torch.randn(5, 4, generator=torch.Generator().manual_seed(0)), dim=1)
    targets = torch.tensor([0, 1, 2, 3, 0])
    with pytest.raises(InputError, match="look like probabilities"):
        PrequentialMeter().update(probabilities, targets)
    expected = -torch.log2(probabilities[torch.arange(5), targets]).sum().item()
    assert PrequentialMeter().update(probabilities.log(), targets) == pytest.approx(expected)
    assert PrequentialMeter().update(torch.eye(4)[[0, 1, 2, 3, 0]], targets) > 0


def test_out_of_range_targets_are_one_clear_error_not_an_index_error():
    """A target outside [0, K) that is not padding raises InputError, immediately and when deferred."""
    with pytest.raises(InputError, match=r"1 target\(s\) lie outside \[0, 3\)"):
        PrequentialMeter().update(torch.zeros(2, 3), torch.tensor([0, 3]))
    with pytest.raises(InputError, match="outside"):
        PrequentialMeter().update(torch.zeros(2, 3), torch.tensor([-2, 1]))
    deferred = PrequentialMeter(defer=True)
    deferred.update(torch.zeros(2, 3), torch.tensor([0, 7]))
    with pytest.raises(InputError, match="batch 0: 1 target"):
        deferred.total_bits


def test_wrong_shapes_and_float_targets_are_refused():
    """Targets must have the logits' shape without the last axis, and be integers."""
    with pytest.raises(InputError, match=r"targets must have shape \(4, 3\)"):
        PrequentialMeter().update(torch.zeros(4, 3, 5), torch.zeros(3, 4, dtype=torch.long))  # as many elements
    with pytest.raises(InputError, match="do not match"):
        PrequentialMeter().update(torch.zeros(3, 4), torch.tensor([0, 1]))
    with pytest.raises(InputError, match="integer class indices"):
        PrequentialMeter().update(torch.zeros(2, 4), torch.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match="shape"):
        PrequentialMeter().update(torch.zeros(4), torch.tensor([0]))


def test_label_stream_models_that_return_probabilities_or_nan_are_refused():
    """A label stream's model returning probabilities, or NaN, is refused with the meter's message."""
    x = torch.randn(40, 4, generator=torch.Generator().manual_seed(1))
    y = torch.arange(40) % 3
    softmax_model = lambda: torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Softmax(dim=1))  # noqa: E731
    with pytest.raises(InputError, match="look like probabilities"):
        trainzip.encode_labels(x, y, num_classes=3, make_model=softmax_model, train=lambda *a: None,
                               schedule=Schedule(first=10), deterministic=False)

    class Diverged(torch.nn.Module):
        def forward(self, inputs):
            return torch.full((len(inputs), 3), math.nan)

    with pytest.raises(InputError, match="NaN or infinite"):
        trainzip.encode_labels(x, y, num_classes=3, make_model=Diverged, train=lambda *a: None,
                               schedule=Schedule(first=10), deterministic=False)


def test_numpy_arrays_and_lists_are_converted_anything_else_refused():
    """NumPy logits and targets (and nested lists) give the torch figures; a string is InputError,
    not an AttributeError."""
    import numpy as np

    logits = torch.randn(4, 3, generator=torch.Generator().manual_seed(2))
    targets = torch.tensor([0, 2, 1, 2])
    expected = PrequentialMeter().update(logits, targets)
    assert PrequentialMeter().update(logits.numpy(), targets.numpy()) == pytest.approx(expected)
    assert PrequentialMeter().update(logits.tolist(), targets.tolist()) == pytest.approx(expected)
    meter = PrequentialMeter()
    meter.update(logits.numpy(), targets.numpy())
    assert meter.update_final(logits.numpy(), targets.numpy()) == pytest.approx(expected)
    with pytest.raises(InputError, match="must be a torch tensor"):
        PrequentialMeter().update("logits", targets)
    with pytest.raises(InputError, match="numeric array"):
        PrequentialMeter().update(logits, [[0, 1], [2]])


@pytest.mark.parametrize("num_classes", [0, 1, -3, 2.5, True, "4"])
def test_num_classes_below_two_or_not_an_integer_is_refused(num_classes):
    """A meter for fewer than 2 classes (or a non-integer count) is refused when it is built."""
    with pytest.raises(InputError, match="num_classes must be an integer of at least 2"):
        PrequentialMeter(num_classes=num_classes)
    assert PrequentialMeter(num_classes=2).num_classes == 2


def test_alphabet_and_rank_errors_are_input_errors_that_name_the_fix():
    """1-D or 4-D logits, one class, a class count changed mid-run: InputError saying what to do; the
    final model's rescoring of more samples than were metered likewise."""
    with pytest.raises(InputError, match=r"got \(4,\): flatten"):
        PrequentialMeter().update(torch.zeros(4), torch.tensor([0]))
    with pytest.raises(InputError, match=r"got \(2, 2, 2, 3\).*reshape"):
        PrequentialMeter().update(torch.zeros(2, 2, 2, 3), torch.zeros(2, 2, 2, dtype=torch.long))
    with pytest.raises(InputError, match="at least 2"):
        PrequentialMeter().update(torch.zeros(3, 1), torch.tensor([0, 0, 0]))
    meter = PrequentialMeter()
    meter.update(torch.zeros(1, 4), torch.tensor([0]))
    with pytest.raises(InputError, match="batch 1: logits have 5 classes, the meter expects 4.*meter of its own"):
        meter.update(torch.zeros(1, 5), torch.tensor([0]))
    with pytest.raises(InputError, match="more than the 1 metered: rescore only"):
        meter.update_final(torch.zeros(2, 4), torch.tensor([0, 1]))
    assert (meter.total_samples, meter.final_samples) == (1, 0)


def test_an_empty_batch_is_refused_but_an_all_padding_one_counts_as_a_step():
    """No rows (B = 0, or T = 0 after a shift) is an error; rows that are all padding are a step of 0 samples."""
    meter = PrequentialMeter()
    with pytest.raises(InputError, match=r"batch 0: the batch is empty \(logits \(0, 3\)\)"):
        meter.update(torch.zeros(0, 3), torch.zeros(0, dtype=torch.long))
    with pytest.raises(InputError, match="empty"):
        meter.update(torch.zeros(2, 0, 5), torch.zeros(2, 0, dtype=torch.long))
    assert (meter.batches, meter.num_classes) == (0, None)
    assert meter.update(torch.zeros(2, 3), torch.tensor([-100, -100])) == 0.0
    assert (meter.batches, meter.total_samples) == (1, 0)
