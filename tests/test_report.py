"""Reports of run records: reading and checking them, the figure's content, the HTML page.

The records here are written by hand (fixtures), so these tests do not depend on the meter or
the compressor that write them in real runs.
"""

import base64
import math
import re

import numpy as np
import pytest

from trainzip.errors import FormatError
from trainzip.reports import load_record, render_html, render_report, run_figure, totals_rows

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def prequential_record():
    """A classifier run: 4 batches of 10 samples, 4 classes, with final-model figures."""
    bits = [20.0, 12.0, 8.0, 6.0]
    return {
        "format": "trainzip.run/1", "kind": "prequential", "unit": "bits", "symbol": "sample",
        "steps": [{"step": i, "samples": 10, "bits": b, "uniform_bits": 20.0} for i, b in enumerate(bits)],
        "totals": {"samples": 40, "bits": 46.0, "uniform_bits": 80.0, "final_model_bits": 16.0,
                   "regret_bits": 30.0, "absorbed_bits": 64.0},
    }


def compress_record():
    """A compressor run: 3 chunks of 1,000 bytes, no final-model figures, two classical baselines."""
    chunk_bits = [4000.0, 3000.0, 2600.0]
    return {
        "format": "trainzip.run/1", "kind": "compress", "unit": "bits", "symbol": "byte",
        "steps": [{"step": i, "samples": 1000, "bits": b, "uniform_bits": 8000.0} for i, b in enumerate(chunk_bits)],
        "totals": {"samples": 3000, "bits": 9600.0, "uniform_bits": 24000.0, "final_model_bits": None,
                   "regret_bits": None, "absorbed_bits": None},
        "input_bytes": 3000, "output_bytes": 1230, "bits_per_byte": 3.28, "seconds": 1.5, "bytes_per_second": 2000.0,
        "chunk_bytes": 1000, "chunk_bits": chunk_bits, "level": 2, "file": "book<1>.txt",
        "baselines": {"gzip -9": 1500, "xz -9": 1400},
    }


def probe_record():
    """A probe run over two seeds: geometric blocks with a spread, as `trainzip probe --json` writes."""
    ends = [2, 4, 8, 16, 32, 64, 128]
    starts = [0] + ends[:-1]
    blocks = [{"block": i + 1, "start": s, "end": e, "samples": e - s, "bits": (e - s) * r, "bits_std": 0.1 * (e - s),
               "bits_per_sample": r, "uniform_bits": (e - s) * 2.0, "code": "uniform" if s == 0 else "probe"}
              for i, (s, e, r) in enumerate(zip(starts, ends, [2.0, 1.9, 1.5, 1.2, 0.9, 0.6, 0.4]))]
    total = sum(b["bits"] for b in blocks)
    return {
        "format": "trainzip.run/1", "kind": "probe", "unit": "bits", "symbol": "sample",
        "title": "MDL probe on toy.npz: linear probe, doubling schedule",
        "steps": [{"step": i, "samples": b["samples"], "bits": b["bits"], "bits_std": b["bits_std"],
                   "uniform_bits": b["uniform_bits"]} for i, b in enumerate(blocks)],
        "totals": {"samples": 128, "bits": total, "uniform_bits": 256.0, "final_model_bits": None,
                   "regret_bits": None, "absorbed_bits": None},
        "uniform_bits": 256.0, "online_bits": total, "online_bits_std": 3.0, "compression": 256.0 / total,
        "compression_std": 0.05, "blocks": blocks, "seeds": [{"seed": 0}, {"seed": 1}], "probe": "linear",
        "schedule": "doubling", "n_classes": 4,
    }


def test_running_sums_start_at_zero_and_end_at_the_totals():
    """Cumulative bits and symbols are prefix sums of the steps, from 0 to the totals."""
    record = load_record(prequential_record(), "run")
    assert record.edges.tolist() == [0, 10, 20, 30, 40]
    assert record.cumulative_bits.tolist() == [0.0, 20.0, 32.0, 40.0, 46.0]
    assert record.cumulative_uniform_bits[-1] == 80.0
    assert record.bits_per_symbol.tolist() == [2.0, 1.2, 0.8, 0.6]


def test_totals_missing_from_a_record_are_taken_from_its_steps():
    """A record without totals still has samples, bits and uniform bits (the sums of its steps)."""
    raw = prequential_record()
    del raw["totals"]
    record = load_record(raw, "run")
    assert (record.total("samples"), record.total("bits"), record.total("uniform_bits")) == (40, 46.0, 80.0)
    assert record.total("final_model_bits") is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r.update(format="trainzip.run/9"), "not a trainzip run record"),
        (lambda r: r.update(kind="training"), "unknown run kind"),
        (lambda r: r.update(symbol="word"), "unknown symbol"),
        (lambda r: r.update(steps=[]), "no steps"),
        (lambda r: r["steps"][1].pop("bits"), "lacks a number"),
        (lambda r: r["steps"][1].update(samples=-3), "non-negative"),
    ],
)
def test_malformed_records_are_refused_with_the_reason(change, message):
    """Each way a record can be wrong is a FormatError that names the record and the problem."""
    raw = prequential_record()
    change(raw)
    with pytest.raises(FormatError, match=f"run: .*{message}"):
        load_record(raw, "run")


def test_text_that_is_not_a_json_object_is_refused():
    """Non-JSON bytes and a JSON list are both FormatErrors."""
    with pytest.raises(FormatError, match="not JSON"):
        load_record(b"\x89PNG", "x")
    with pytest.raises(FormatError, match="JSON object"):
        load_record("[1, 2]", "x")


def test_figure_has_three_panels_with_units_and_legends():
    """Code length per sample, cumulative bits and bits absorbed, each labelled in bits, with a legend."""
    figure = run_figure([load_record(prequential_record(), "run")])
    axes = figure.axes
    assert [ax.get_title(loc="left") for ax in axes] == [
        "Code length over training", "Cumulative code length", "Bits absorbed: saved against the uniform code"]
    assert axes[0].get_ylabel() == "bits per sample"
    assert axes[1].get_ylabel() == "bits" and axes[2].get_ylabel() == "bits"
    assert axes[2].get_xlabel() == "samples seen"
    assert all(ax.get_legend() is not None for ax in axes)
    legend = [text.get_text() for text in axes[0].get_legend().get_texts()]
    assert "final model (0.4 bits per sample)" in legend and "uniform code (2 bits per sample)" in legend
    assert "regret 30.0 bits" in [text.get_text() for text in axes[2].texts]


def test_compress_figure_is_in_bits_per_byte_and_draws_the_baselines():
    """A compress record is drawn per byte, with the whole file and each classical compressor."""
    figure = run_figure([load_record(compress_record(), "book")])
    axes = figure.axes
    assert axes[0].get_ylabel() == "bits per byte" and axes[2].get_xlabel() == "input bytes seen"
    legend = [text.get_text() for text in axes[0].get_legend().get_texts()]
    assert "gzip -9 (4.000 bits per byte)" in legend and "xz -9 (3.733 bits per byte)" in legend
    assert "trainzip, whole file (3.280 bits per byte)" in legend
    assert "trainzip compress book<1>.txt (level 2)" in figure.get_suptitle()


def test_probe_figure_uses_a_log_axis_and_shows_the_spread():
    """Geometric probe blocks go on a log axis; the spread over seeds is drawn as a band."""
    figure = run_figure([load_record(probe_record(), "probe")])
    assert figure.axes[2].get_xscale() == "log"
    assert "± 1 std over seeds" in [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert figure.get_suptitle().startswith("MDL probe on toy.npz")


def test_several_runs_overlay_under_their_own_names():
    """Two records (a task and its control) share the panels; each is in the legend by name."""
    records = [load_record(probe_record(), "real"), load_record(probe_record(), "control")]
    figure = run_figure(records)
    legend = [text.get_text() for text in figure.axes[1].get_legend().get_texts()]
    assert "real" in legend and "control" in legend
    assert figure.get_suptitle().startswith("Comparing real vs control")


@pytest.mark.parametrize("report_format", ["png", "svg", "pdf"])
def test_figure_files_are_what_their_format_says(report_format):
    """render_report writes PNG, SVG or PDF bytes."""
    data = render_report([load_record(compress_record(), "book")], report_format)
    magic = {"png": PNG_MAGIC, "svg": b"<?xml", "pdf": b"%PDF"}[report_format]
    assert data.startswith(magic)


def test_html_page_is_self_contained_with_the_figure_and_totals():
    """The page embeds the PNG as base64, lists the totals in bits, and escapes what it quotes."""
    record = load_record(compress_record(), "book")
    page = render_report([record], "html").decode("utf-8")
    embedded = re.search(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert embedded and base64.b64decode(embedded.group(1)).startswith(PNG_MAGIC)
    assert not re.search(r'(src|href)="(http|//)', page)
    assert "book&lt;1&gt;.txt" in page and "book<1>.txt" not in page
    assert "9,600.0 bits (3.2000 bits per byte)" in page and "1,400 bytes" in page


def test_html_of_a_probe_lists_its_blocks():
    """A probe's page has the per-block table, mean ± std over seeds."""
    page = render_html([load_record(probe_record(), "probe")], PNG_MAGIC)
    assert "Blocks: probe" in page and "64–128" in page and "25.6 ± 6.4" in page


def test_totals_rows_give_every_figure_with_its_unit():
    """Totals: code, uniform, final model, regret, absorbed, in bits and bits per symbol; compression."""
    rows = dict(totals_rows(load_record(prequential_record(), "run")))
    assert rows["code length"] == "46.0 bits (1.1500 bits per sample)"
    assert rows["regret (code − final model)"] == "30.0 bits (0.7500 bits per sample)"
    assert rows["bits absorbed (uniform − final model)"] == "64.0 bits (1.6000 bits per sample)"
    assert rows["compression (uniform / code)"] == f"{80 / 46:.3f}×"
    assert math.isclose(float(rows["final model's code"].split()[0]), 16.0)
    assert np.isfinite(load_record(compress_record(), "book").bits_per_symbol).all()
