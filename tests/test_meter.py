"""The prequential meter: exact arithmetic in bits, padding, state, records, logging."""

import json
import math

import trainzip  # noqa: F401  (first: sets MKL's reproducibility mode before torch loads)
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from trainzip import PrequentialMeter
from trainzip.meter import RECORD_FORMAT


def log_probs(*rows):
    """Logits whose softmax is exactly the given probability rows."""
    return torch.tensor(rows, dtype=torch.float64).log()


def test_fixed_predictor_costs_the_hand_computed_bits():
    """p = (1/2, 1/4, 1/4) coding targets 0, 1, 2 costs 1 + 2 + 2 = 5 bits; uniform is 3 log2 3; the top
    prediction (class 0) is right once."""
    meter = PrequentialMeter()
    logits = log_probs([0.5, 0.25, 0.25], [0.5, 0.25, 0.25], [0.5, 0.25, 0.25])
    assert meter.update(logits, torch.tensor([0, 1, 2])) == pytest.approx(5.0, abs=1e-12)
    assert meter.uniform_bits == pytest.approx(3 * math.log2(3), abs=1e-12)
    assert meter.steps == [{"step": 0, "samples": 3, "bits": pytest.approx(5.0, abs=1e-12),
                            "uniform_bits": pytest.approx(3 * math.log2(3)), "cumulative_bits": pytest.approx(5.0),
                            "correct": 1}]


def test_uniform_prediction_is_one_bit_per_binary_label_not_ln2():
    """Zero logits over 2 classes cost exactly 1 bit per sample: nats (0.693) never reach a bits figure."""
    meter = PrequentialMeter()
    bits = meter.update(torch.zeros(8, 2), torch.tensor([0, 1] * 4))
    assert bits == pytest.approx(8.0, abs=1e-12)
    assert meter.bits_per_sample == pytest.approx(1.0, abs=1e-12)


def test_zero_logits_cost_exactly_the_uniform_code():
    """With no knowledge (equal logits) the prequential code equals n log2 K and the ratio is 1."""
    meter = PrequentialMeter(num_classes=10)
    meter.update(torch.zeros(5, 10), torch.arange(5))
    meter.update(torch.zeros(7, 10), torch.arange(7))
    assert meter.total_bits == pytest.approx(12 * math.log2(10), rel=1e-12)
    assert meter.uniform_bits == pytest.approx(12 * math.log2(10), rel=1e-12)
    assert meter.compression_ratio == pytest.approx(1.0, rel=1e-12)


def test_batch_bits_are_pytorch_cross_entropy_divided_by_ln2():
    """On random logits the meter equals F.cross_entropy(reduction='sum') / ln 2."""
    generator = torch.Generator().manual_seed(0)
    logits = torch.randn(32, 7, generator=generator)
    targets = torch.randint(0, 7, (32,), generator=generator)
    nats = F.cross_entropy(logits.double(), targets, reduction="sum").item()
    assert PrequentialMeter().update(logits, targets) == pytest.approx(nats / math.log(2), rel=1e-12)


def test_next_token_logits_skip_padding_targets():
    """(B, T, V) logits: targets equal to ignore_index are neither coded nor counted; the symbol is 'token'."""
    meter = PrequentialMeter()
    logits = torch.zeros(2, 3, 4)  # uniform over 4 tokens: 2 bits each
    targets = torch.tensor([[1, 2, -100], [3, -100, -100]])
    assert meter.update(logits, targets) == pytest.approx(6.0, abs=1e-12)
    assert meter.total_samples == 3
    assert meter.symbol == "token"
    assert meter.record()["symbol"] == "token"


def test_custom_ignore_index_and_an_all_padding_batch():
    """A custom padding value is honoured; a batch of padding only is recorded with 0 samples and 0 bits."""
    meter = PrequentialMeter(ignore_index=0)
    assert meter.update(torch.zeros(3, 4), torch.tensor([0, 0, 0])) == 0.0
    assert meter.steps[0]["samples"] == 0
    meter.update(torch.zeros(2, 4), torch.tensor([0, 3]))
    assert (meter.total_samples, meter.total_bits) == (1, pytest.approx(2.0))


def test_final_model_gives_regret_and_absorbed_bits():
    """regret = L_preq - L_final, absorbed = L_unif - L_final, available once the final model scored all data."""
    meter = PrequentialMeter()
    targets = torch.tensor([0, 1, 0, 1])
    meter.update(torch.zeros(4, 2), targets)  # 4 bits
    assert meter.totals()["regret_bits"] is None
    meter.update_final(log_probs(*[[0.5, 0.5]] * 2), targets[:2])
    assert meter.totals()["final_model_bits"] is None  # only half rescored so far
    certain = log_probs([0.75, 0.25], [0.25, 0.75])
    meter.update_final(certain, targets[2:])  # 2 * -log2(3/4)
    final = 2.0 + 2 * -math.log2(0.75)
    totals = meter.totals()
    assert totals["final_model_bits"] == pytest.approx(final)
    assert totals["regret_bits"] == pytest.approx(4.0 - final)
    assert totals["absorbed_bits"] == pytest.approx(4.0 - final)
    with pytest.raises(ValueError, match="more than"):
        meter.update_final(torch.zeros(1, 2), torch.tensor([0]))


def test_state_dict_resume_matches_an_uninterrupted_run():
    """Saving after some batches and loading into a new meter gives the same record as one meter throughout."""
    generator = torch.Generator().manual_seed(1)
    batches = [(torch.randn(6, 5, generator=generator), torch.randint(0, 5, (6,), generator=generator))
               for _ in range(4)]
    whole = PrequentialMeter()
    for logits, targets in batches:
        whole.update(logits, targets)
    first = PrequentialMeter()
    for logits, targets in batches[:2]:
        first.update(logits, targets)
    state = json.loads(json.dumps(first.state_dict()))  # plain values: survives any checkpoint format
    resumed = PrequentialMeter()
    resumed.load_state_dict(state)
    for logits, targets in batches[2:]:
        resumed.update(logits, targets)
    assert resumed.record() == whole.record()
    with pytest.raises(KeyError):
        PrequentialMeter().load_state_dict({"steps": []})


def test_json_record_has_the_shared_format(tmp_path):
    """write_json writes trainzip.run/1 with per-step bits and totals, readable by the report tool."""
    meter = PrequentialMeter()
    meter.update(torch.zeros(4, 4), torch.tensor([0, 1, 2, 3]))
    meter.update(log_probs([1.0, 1e-300, 1e-300, 1e-300]), torch.tensor([0]))
    record = json.loads(meter.write_json(tmp_path / "run.json", dataset="toy").read_text())
    assert record["format"] == RECORD_FORMAT == "trainzip.run/1"
    assert (record["kind"], record["unit"], record["symbol"], record["num_classes"]) == ("prequential", "bits", "sample", 4)
    assert [(s["step"], s["samples"], s["bits"], s["uniform_bits"]) for s in record["steps"]] == [
        (0, 4, pytest.approx(8.0), pytest.approx(8.0)), (1, 1, pytest.approx(0.0, abs=1e-9), pytest.approx(2.0))]
    assert record["totals"]["samples"] == 5
    assert record["totals"]["bits"] == pytest.approx(8.0)
    assert record["totals"]["uniform_bits"] == pytest.approx(10.0)
    assert record["totals"]["final_model_bits"] is None
    assert record["dataset"] == "toy"


def test_scalars_go_to_a_tensorboard_like_writer_in_bits():
    """A writer receives per-batch and cumulative bits per sample (1.0 for a fair coin, not 0.693)."""
    logged = []

    class Writer:
        def add_scalar(self, tag, value, step):
            logged.append((tag, value, step))

    meter = PrequentialMeter(writer=Writer())
    meter.update(torch.zeros(4, 2), torch.tensor([0, 1, 1, 0]))
    scalars = {tag: value for tag, value, _ in logged}
    assert scalars["trainzip/batch_bits_per_sample"] == pytest.approx(1.0)
    assert scalars["trainzip/bits_per_sample"] == pytest.approx(1.0)
    assert scalars["trainzip/cumulative_kbits"] == pytest.approx(0.004)
    assert {step for _, _, step in logged} == {0}


def test_mismatched_shapes_and_alphabets_are_refused():
    """Logits and targets that do not match, or a changed class count, raise ValueError."""
    meter = PrequentialMeter()
    with pytest.raises(ValueError, match="do not match"):
        meter.update(torch.zeros(3, 4), torch.tensor([0, 1]))
    meter.update(torch.zeros(1, 4), torch.tensor([0]))
    with pytest.raises(ValueError, match="expects 4"):
        meter.update(torch.zeros(1, 5), torch.tensor([0]))
    with pytest.raises(ValueError, match="shape"):
        meter.update(torch.zeros(4), torch.tensor([0]))


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**31 - 1), st.lists(st.integers(1, 5), min_size=1, max_size=6))
def test_total_does_not_depend_on_how_the_data_is_batched(seed, sizes):
    """Metering the same predictions in any batching gives the same total bits."""
    generator = torch.Generator().manual_seed(seed)
    n = sum(sizes)
    logits = torch.randn(n, 6, generator=generator) * 3
    targets = torch.randint(0, 6, (n,), generator=generator)
    batched, start = PrequentialMeter(), 0
    for size in sizes:
        batched.update(logits[start:start + size], targets[start:start + size])
        start += size
    whole = PrequentialMeter()
    whole.update(logits, targets)
    assert batched.total_bits == pytest.approx(whole.total_bits, rel=1e-12, abs=1e-9)
    assert [b for _, b in batched.bits_per_sample_curve()] == pytest.approx(
        [s["bits"] / s["samples"] for s in batched.steps])


def test_a_deferred_meter_records_exactly_what_an_immediate_one_does():
    """Deferred, `update` returns None and the counts wait on their device; every figure, step
    record and logged scalar is then the same as metering each batch at once, whether they are read
    at the end, midway, through a checkpoint, or after DEFER_LIMIT batches forced a read."""
    generator = torch.Generator().manual_seed(1)
    batches = [(torch.randn(7, 5, generator=generator) * 2, torch.randint(0, 5, (7,), generator=generator))
               for _ in range(11 + PrequentialMeter.DEFER_LIMIT + 10)]
    logs = {"now": [], "deferred": []}

    def writer(name):
        class Writer:
            def add_scalar(self, tag, value, step):
                logs[name].append((tag, value, step))
        return Writer()

    now, deferred = PrequentialMeter(writer=writer("now")), PrequentialMeter(writer=writer("deferred"), defer=True)
    for index, (logits, targets) in enumerate(batches):
        assert now.update(logits, targets) > 0
        assert deferred.update(logits, targets) is None
        if index == 3:
            assert deferred.total_samples == now.total_samples == 28  # a figure asked for midway: read then
        if index == 10:
            checkpoint = deferred.state_dict()
            assert checkpoint["total_bits"] == now.total_bits
    assert len(deferred._pending) == 10  # after the read at batch 10, DEFER_LIMIT were read at once; 10 wait
    assert deferred.record() == now.record()
    assert logs["deferred"] == logs["now"]
    resumed = PrequentialMeter(defer=True)
    resumed.load_state_dict(checkpoint)
    assert resumed.steps == now.steps[:11]
