"""The limits experiment: the coder's overhead, the rows and the CLI, and trainzip near the rate."""

import json
import os

import numpy as np
import pytest

from trainzip.cli import main
from trainzip.coding import EncodeChannel
from trainzip.limits.experiment import codec_available, coder_overhead, measure_limits, n_grid
from trainzip.limits.kt import kt_encode
from trainzip.limits.sources import iid, standard_sources
from trainzip.limits.table import format_table

REQUIRED = {"source", "entropy_rate_bits", "n", "learner", "bits_per_symbol", "regret_bits", "regret_bound_bits"}


def test_real_bitstream_within_a_tenth_of_a_percent_plus_8_bytes_of_the_ideal():
    """On 10**6 symbols the range coder's bytes exceed the sum of -log2 q by < 0.1% + 64 bits, and
    undercut it by no more than 64 bits (a shorter stream would mean the ideal count is wrong)."""
    symbols = standard_sources()[2].sample(10**6, seed=5).symbols
    channel = EncodeChannel()
    kt_encode(symbols, 4, 2, channel)
    real_bits = 8 * len(channel.finish())
    assert channel.ideal_bits - 64 <= real_bits <= 1.001 * channel.ideal_bits + 64


def test_rows_carry_every_regret_consistently():
    """Each row's regret is L - nH, its excess is relative to H, and KT rows sit inside their band
    (up to 16-bit quantization); the oracle row has zero regret against itself."""
    source = standard_sources()[2]
    rows = measure_limits(max_n=3000, levels=(), sources=[source])
    assert {(r.n, r.learner) for r in rows} == {(n, l) for n in (1000, 3000) for l in ("source", "kt-order2", "kt-order3")}
    for row in rows:
        total_bits = row.bits_per_symbol * row.n
        assert row.regret_bits == pytest.approx(total_bits - row.n * source.entropy_rate_bits)
        assert row.excess_percent == pytest.approx(100 * (row.bits_per_symbol / source.entropy_rate_bits - 1))
        if row.learner == "source":
            assert row.regret_vs_source_bits == pytest.approx(0.0, abs=1e-6)
        else:
            slack = row.n * -np.log2(1 - 4 / 2**16)
            assert row.ml_bound_low_bits - slack <= row.regret_vs_ml_bits <= row.ml_bound_bits + slack
            assert 0 < row.coder_overhead_bits < 200
    assert "kt-order2" in format_table(rows)
    assert {item["learner"] for item in coder_overhead(rows)} == {"kt-order2", "kt-order3"}


def test_n_grid_runs_over_powers_of_ten_up_to_max_n():
    """Prefix lengths are 1000, 10000, ... and end at max_n exactly."""
    assert n_grid(10**6) == [10**3, 10**4, 10**5, 10**6]
    assert n_grid(25_000) == [1000, 10_000, 25_000]


def test_cli_json_rows_and_plots(tmp_path, capsys):
    """`trainzip limits --json --plot-dir` prints rows with the documented fields and writes three
    PNGs; a second run refuses to overwrite them without --force."""
    plots = tmp_path / "plots"
    argv = ["limits", "--max-n", "1000", "--levels", "none", "--json", "--plot-dir", str(plots)]
    assert main(argv) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(REQUIRED <= set(row) for row in rows)
    assert {row["source"] for row in rows} == {s.name for s in standard_sources()}
    assert sorted(os.listdir(plots)) == ["bits_per_symbol.png", "coder_overhead.png", "regret.png"]
    assert (plots / "regret.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(argv) == 1
    assert "already exists" in capsys.readouterr().err
    assert main([*argv, "--force"]) == 0


def test_cli_table_names_the_overhead(capsys):
    """Without --json the table and the coder-overhead lines are printed; --markdown gives a pipe table."""
    assert main(["limits", "--max-n", "1000", "--levels", "none"]) == 0
    out = capsys.readouterr().out
    assert "excess %" in out and "coder overhead" in out
    assert main(["limits", "--max-n", "1000", "--levels", "none", "--markdown"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("| source |") and len(lines) == 2 + 4 * 3  # 4 sources x (source + 2 KT)


def test_cli_rejects_a_tiny_max_n(capsys):
    """--max-n below 1000 is a user error: one line, exit code 1."""
    assert main(["limits", "--max-n", "10", "--levels", "none"]) == 1
    assert "at least 1000" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.skipif(not codec_available(), reason="trainzip.codec (the lead's byte codec) is not available yet")
def test_trainzip_default_within_two_percent_of_the_rate_on_order2_markov():
    """trainzip's default model codes 10**5 symbols of an order-2 Markov source over 4 symbols
    (fed as bytes 0..3) in at most 1.02 times the entropy rate (the model's sum of -log2 q)."""
    from trainzip.codec import compress_with_report

    source = standard_sources()[2]
    assert (source.alphabet_size, source.order) == (4, 2)
    symbols = source.sample(10**5, seed=21).symbols
    _blob, report = compress_with_report(symbols.tobytes(), level="default")
    bits_per_symbol = report.ideal_bits / len(symbols)
    assert bits_per_symbol <= 1.02 * source.entropy_rate_bits


def test_measure_limits_says_why_trainzip_rows_are_missing(monkeypatch):
    """With the codec unavailable, levels are skipped with a progress note rather than an error."""
    import trainzip.limits.experiment as experiment

    monkeypatch.setattr(experiment, "codec_available", lambda: False)
    notes = []
    rows = measure_limits(max_n=1000, levels=("default",), sources=[iid("u", [1, 1])], progress=notes.append)
    assert all(not row.learner.startswith("trainzip") for row in rows)
    assert any("not available" in note for note in notes)
