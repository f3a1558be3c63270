"""The meter as a torchmetrics Metric: in a MetricCollection it gives the meter's own figures, and
torchmetrics' sync across ranks sums its states."""

import math

import trainzip  # noqa: F401  (first: sets MKL's reproducibility mode before torch loads)
import pytest
import torch
import torch.nn.functional as F

from trainzip import PrequentialMeter
from trainzip.errors import InputError
from trainzip.integrations import is_torchmetrics_available

pytestmark = pytest.mark.skipif(not is_torchmetrics_available(), reason="torchmetrics is not installed")


def training_run(metrics, meter, *, padding=False):
    """One pass of a small classifier over 12 batches of 16; every batch goes to both before the step."""
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(192, 8, generator=generator)
    y = (x @ torch.randn(8, 5, generator=generator)).argmax(dim=1)
    if padding:
        y[::7] = -100
    torch.manual_seed(0)
    model = torch.nn.Linear(8, 5)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    for rows in torch.arange(192).split(16):
        logits = model(x[rows])
        metrics.update(logits, y[rows])
        meter.update(logits, y[rows])
        optimizer.zero_grad()
        F.cross_entropy(logits, y[rows]).backward()
        optimizer.step()


@pytest.mark.parametrize("padding", [False, True])
def test_a_metric_collection_holding_the_meter_equals_the_meters_own_figures(padding):
    """Beside torchmetrics' accuracy in a MetricCollection, every figure equals PrequentialMeter's totals to 1e-9,
    with and without padding targets; the accuracy agrees with torchmetrics' own."""
    from torchmetrics import MetricCollection
    from torchmetrics.classification import MulticlassAccuracy

    from trainzip.integrations.torchmetrics import FIGURES, PrequentialMetric

    metrics = MetricCollection({"code": PrequentialMetric(),
                                "acc": MulticlassAccuracy(num_classes=5, average="micro", ignore_index=-100)})
    meter = PrequentialMeter()
    training_run(metrics, meter, padding=padding)
    computed, totals = metrics.compute(), meter.totals()
    assert set(FIGURES) <= set(computed)
    for name in FIGURES:
        assert float(computed[name]) == pytest.approx(totals[name], rel=1e-9, abs=0), name
    assert float(computed["accuracy"]) == pytest.approx(float(computed["acc"]), rel=1e-6)
    assert totals["samples"] == (192 - 28 if padding else 192)
    assert 0 < totals["bits"] < totals["uniform_bits"] == pytest.approx(totals["samples"] * math.log2(5))
    metrics.reset()
    assert float(metrics["code"].bits) == 0.0


def test_sync_across_ranks_sums_the_states():
    """Under a (simulated) 2-rank run, torchmetrics' sync gives the sums of both ranks' states: the
    figures of one meter that saw both ranks' batches."""
    from trainzip.integrations.torchmetrics import PrequentialMetric

    other_rank = PrequentialMetric()
    other_rank.update(torch.tensor([[0.0, 2.0, 0.0], [1.0, 0.0, 0.0]]), torch.tensor([1, 2]))

    def gather(tensor, group=None):  # what torch.distributed's all-gather would hand each rank
        name = next(name for name, value in metric.metric_state.items() if value is tensor)
        return [tensor, getattr(other_rank, name)]

    metric = PrequentialMetric(dist_sync_fn=gather, distributed_available_fn=lambda: True)
    metric.update(torch.zeros(4, 3), torch.tensor([0, 1, 2, -100]))
    both = PrequentialMeter()
    both.update(torch.zeros(4, 3), torch.tensor([0, 1, 2, -100]))
    both.update(torch.tensor([[0.0, 2.0, 0.0], [1.0, 0.0, 0.0]]), torch.tensor([1, 2]))
    computed = metric.compute()
    assert float(computed["samples"]) == 5
    assert float(computed["bits"]) == pytest.approx(both.total_bits, rel=1e-12)
    assert float(computed["accuracy"]) == pytest.approx(both.totals()["accuracy"], rel=1e-12)
    assert float(metric.samples) == 3  # unsynced again after compute: each rank keeps its own share


def test_metric_refuses_what_the_meter_refuses():
    """Probabilities for logits and a changed class count raise the meter's InputError, naming the batch."""
    from trainzip.integrations.torchmetrics import PrequentialMetric

    metric = PrequentialMetric()
    metric.update(torch.zeros(2, 4), torch.tensor([0, 3]))
    with pytest.raises(InputError, match="batch 1: logits have 5 classes, the meter expects 4"):
        metric.update(torch.zeros(2, 5), torch.tensor([0, 1]))
    with pytest.raises(InputError, match="probabilities"):
        metric.update(torch.full((2, 4), 0.25), torch.tensor([0, 1]))


def test_metric_without_torchmetrics_says_what_to_install(monkeypatch):
    """Without torchmetrics the module still imports, and building the metric names the extra."""
    import trainzip.integrations.torchmetrics as module

    monkeypatch.setattr(module, "_Base", object)
    with pytest.raises(ImportError, match=r"trainzip\[torchmetrics\]"):
        module.PrequentialMetric()
