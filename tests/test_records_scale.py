"""Records that scale: steps as binary arrays beside the JSON, per-example bits, binning, smoothing,
online accuracy and overlaid runs that can be told apart."""

import csv
import json

import trainzip  # noqa: F401  (first: sets MKL's reproducibility mode before torch loads)
import numpy as np
import pytest
import torch

from trainzip import PrequentialMeter
from trainzip.cli import main
from trainzip.errors import FormatError
from trainzip.reports import expand, load_record, run_figure, totals_rows
from trainzip.reports.series import series

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def metered(batches=30, keep=False):
    """A meter over `batches` random batches of 4 samples (with indices), 3 classes."""
    generator = torch.Generator().manual_seed(0)
    meter = PrequentialMeter(keep_example_bits=keep)
    for batch in range(batches):
        meter.update(torch.randn(4, 3, generator=generator), torch.randint(0, 3, (4,), generator=generator),
                     indices=torch.arange(4 * batch, 4 * batch + 4))
    return meter


def test_steps_as_arrays_beside_the_json_read_back_like_inline_steps(tmp_path):
    """steps="arrays" writes NAME.steps.npz beside NAME.json (format trainzip.run/2); the report reads the
    same per-step figures and totals as from the inline record."""
    meter = metered()
    meter.write_json(tmp_path / "inline.json", steps="inline")
    meter.write_json(tmp_path / "arrays.json", steps="arrays")
    raw = json.loads((tmp_path / "arrays.json").read_text())
    assert raw["format"] == "trainzip.run/2" and "steps" not in raw
    assert raw["steps_file"] == {"path": "arrays.steps.npz", "count": 30,
                                 "columns": ["bits", "correct", "samples", "uniform_bits"]}
    inline = load_record((tmp_path / "inline.json").read_text(), "inline")
    arrays = load_record((tmp_path / "arrays.json").read_text(), "arrays", tmp_path)
    for column in ("samples", "bits", "uniform_bits", "correct"):
        assert np.array_equal(getattr(inline, column), getattr(arrays, column))
    assert arrays.totals == inline.totals and arrays.accuracy == pytest.approx(meter.totals()["accuracy"])
    with pytest.raises(FormatError, match="cannot be found"):
        load_record(raw, "arrays")
    (tmp_path / "arrays.steps.npz").unlink()
    with pytest.raises(FormatError, match="steps file .* is missing"):
        load_record(raw, "arrays", tmp_path)


def test_long_runs_write_arrays_on_their_own(tmp_path, monkeypatch):
    """Past INLINE_STEPS_MAX steps "auto" writes arrays; the report command draws such a record."""
    import trainzip.record_io as record_io

    monkeypatch.setattr(record_io, "INLINE_STEPS_MAX", 10)
    metered().write_json(tmp_path / "run.json")
    assert (tmp_path / "run.steps.npz").exists()
    assert main(["report", str(tmp_path / "run.json"), "-o", str(tmp_path / "run.png"), "--smooth", "5"]) == 0
    assert (tmp_path / "run.png").read_bytes().startswith(PNG_MAGIC)


def test_per_example_bits_export_as_npz_and_csv(tmp_path):
    """Each example's bits, with its step and dataset index, sum to the meter's total; .npz and .csv agree."""
    meter = metered(batches=5, keep=True)
    columns = meter.example_bits()
    assert columns["bits"].sum() == pytest.approx(meter.total_bits)
    assert columns["index"].tolist() == list(range(20)) and columns["step"].tolist() == [s // 4 for s in range(20)]
    meter.export_example_bits(tmp_path / "examples.npz")
    meter.export_example_bits(tmp_path / "examples.csv")
    with np.load(tmp_path / "examples.npz") as archive:
        assert np.array_equal(archive["bits"], columns["bits"])
    with (tmp_path / "examples.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [float(row["bits"]) for row in rows] == pytest.approx(columns["bits"].tolist())
    assert set(rows[0]) == {"step", "index", "bits", "symbols"}
    resumed = PrequentialMeter(keep_example_bits=True)
    resumed.load_state_dict(json.loads(json.dumps(meter.state_dict())))
    assert np.array_equal(resumed.example_bits()["bits"], columns["bits"])
    with pytest.raises(ValueError, match="keep_example_bits"):
        metered(batches=1).example_bits()


def test_sequences_get_one_row_each_summed_over_their_tokens():
    """(B, T, V) logits: an example is a sequence, its bits summed over its counted tokens."""
    meter = PrequentialMeter(keep_example_bits=True)
    meter.update(torch.zeros(2, 3, 4), torch.tensor([[1, 2, -100], [0, -100, -100]]))
    columns = meter.example_bits()
    assert columns["bits"].tolist() == pytest.approx([4.0, 2.0]) and columns["symbols"].tolist() == [2, 1]


def long_record(steps=200_000):
    """A synthetic record of `steps` steps (the shape a long run writes), a rate that falls."""
    rate = 2.0 / np.sqrt(1 + np.arange(steps) / 100)
    return {"format": "trainzip.run/1", "kind": "prequential", "unit": "bits", "symbol": "sample",
            "steps": [{"step": i, "samples": 8, "bits": 8 * r, "uniform_bits": 16.0, "correct": 4}
                      for i, r in enumerate(rate.tolist())]}


def test_a_long_run_is_drawn_in_at_most_2000_bins_with_exact_rates():
    """200k steps become at most 2000 bins; each bin's rate is its bits over its symbols, the cumulative
    curve still ends at the total, and the accuracy of each bin is its correct over its symbols."""
    record = load_record(long_record(), "long")
    curves = series(record)
    assert len(curves.rate) <= 2000 and curves.steps == 200_000
    assert curves.cumulative_bits[-1] == pytest.approx(record.bits.sum())
    group = 100  # 200,000 / 2,000
    assert curves.rate[1] == pytest.approx(record.bits[group:2 * group].sum() / (8 * group))
    assert np.allclose(curves.accuracy, 0.5)


def test_smoothing_is_a_trailing_window_weighted_by_symbols():
    """smooth=2 on steps of (4 samples, 8 bits), (12, 6), (4, 4): rates 2, 14/16, 10/16."""
    raw = {"format": "trainzip.run/1", "kind": "prequential", "symbol": "sample",
           "steps": [{"samples": n, "bits": b, "uniform_bits": n, "correct": c}
                     for n, b, c in [(4, 8.0, 1), (12, 6.0, 6), (4, 4.0, 4)]]}
    curves = series(load_record(raw, "r"), smooth=2)
    assert curves.rate.tolist() == pytest.approx([2.0, 14 / 16, 10 / 16])
    assert curves.accuracy.tolist() == pytest.approx([0.25, 7 / 16, 10 / 16])
    with pytest.raises(ValueError, match="at least 1"):
        series(load_record(raw, "r"), smooth=0)


def test_online_accuracy_has_a_panel_and_a_row():
    """A record with per-step correct counts gets a fourth panel and an online accuracy row."""
    record = load_record(long_record(steps=50), "acc")
    figure = run_figure([record])
    assert [ax.get_title(loc="left") for ax in figure.axes][3].startswith("Online accuracy")
    assert dict(totals_rows(record))["online accuracy (top prediction, before learning)"] == "0.5000"


def test_overlaid_runs_each_draw_their_final_model_in_their_own_colour():
    """Two runs with final-model figures: each final-model line is named after its run and drawn in its
    run's colour, and the runs' own lines have different styles."""
    def run(final):
        return {"format": "trainzip.run/1", "kind": "prequential", "symbol": "sample",
                "steps": [{"samples": 10, "bits": b, "uniform_bits": 20.0} for b in (18.0, 9.0)],
                "totals": {"final_model_bits": final, "regret_bits": 27.0 - final, "absorbed_bits": 40.0 - final}}

    figure = run_figure([load_record(run(8.0), "small"), load_record(run(4.0), "large")])
    legend = figure.axes[0].get_legend()
    texts = [text.get_text() for text in legend.get_texts()]
    assert "final model, small (0.4 bits per sample)" in texts and "final model, large (0.2 bits per sample)" in texts
    handles = dict(zip(texts, legend.legend_handles))
    assert handles["final model, small (0.4 bits per sample)"].get_color() != \
        handles["final model, large (0.2 bits per sample)"].get_color()
    lines = [line for line in figure.axes[1].get_lines() if line.get_label() in ("small", "large")]
    assert len({str(line.get_linestyle()) for line in lines}) == 2


def test_a_probe_comparison_record_expands_into_each_probe_and_the_switch_code():
    """A record with probes (trainzip probe --probe linear mlp) is drawn as each probe plus the switch code."""
    probe = {"format": "trainzip.run/1", "kind": "probe", "symbol": "sample",
             "steps": [{"samples": 4, "bits": 6.0, "uniform_bits": 8.0}]}
    record = load_record({**probe, "probes": {"linear": probe, "mlp": probe}, "switch": {}}, "cmp")
    assert [part.name for part in expand(record)] == ["cmp: linear", "cmp: mlp", "cmp: switch code"]
