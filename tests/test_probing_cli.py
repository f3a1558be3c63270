"""`trainzip probe DATA.npz`: its JSON record, its table, its plot, and its one-line errors."""

import json

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits

from trainzip.cli import main

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def restore_threads():
    """The command pins PyTorch's thread count; give other tests back what they had."""
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def digits_file(tmp_path_factory, count: int, name: str) -> str:
    """The first `count` digits as DATA.npz (X features, y labels)."""
    features, labels = load_digits(return_X_y=True)
    path = tmp_path_factory.mktemp("data") / name
    np.savez(path, X=features[:count], y=labels[:count])
    return str(path)


@pytest.fixture(scope="module")
def digits_npz(tmp_path_factory):
    """160 digits, small enough for a quick command run."""
    return digits_file(tmp_path_factory, 160, "digits.npz")


def test_json_has_the_promised_keys_and_spread_over_seeds(digits_npz, capsys):
    """--json prints one run record with uniform_bits, online_bits, compression, blocks and 2 seeds."""
    assert main(["probe", digits_npz, "--schedule", "doubling", "--seeds", "2", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert {"uniform_bits", "online_bits", "compression", "blocks", "seeds"} <= set(record)
    assert [seed["seed"] for seed in record["seeds"]] == [0, 1]
    assert record["uniform_bits"] == pytest.approx(160 * np.log2(10))
    assert record["blocks"][0]["bits"] == pytest.approx(8 * np.log2(10))
    assert record["compression"] > 2.0


def test_table_and_plot_for_people(digits_npz, tmp_path, capsys):
    """Without --json a table with the totals is printed; --plot writes a PNG."""
    plot = tmp_path / "probe.png"
    assert main(["probe", digits_npz, "--probe", "mlp", "--schedule", "doubling", "--seeds", "1", "--plot", str(plot)]) == 0
    table = capsys.readouterr().out
    for words in ("uniform code", "online code", "compression", "bits/sample", "mlp probe"):
        assert words in table
    assert plot.read_bytes().startswith(PNG_MAGIC)


def test_final_model_adds_regret_and_absorbed_bits(digits_npz, capsys):
    """--final-model fills the final-model totals, with regret = online - final and absorbed = uniform - final."""
    assert main(["probe", digits_npz, "--schedule", "doubling", "--seeds", "1", "--json", "--final-model"]) == 0
    totals = json.loads(capsys.readouterr().out)["totals"]
    assert totals["regret_bits"] == pytest.approx(totals["bits"] - totals["final_model_bits"])
    assert totals["absorbed_bits"] == pytest.approx(totals["uniform_bits"] - totals["final_model_bits"])


def test_control_labels_compress_worse(digits_npz, capsys):
    """--control shuffles the labels; the same probe then finds far less to compress."""
    main(["probe", digits_npz, "--schedule", "doubling", "--seeds", "1", "--json"])
    real = json.loads(capsys.readouterr().out)
    main(["probe", digits_npz, "--schedule", "doubling", "--seeds", "1", "--json", "--control"])
    control = json.loads(capsys.readouterr().out)
    assert control["control"] is True and "control" in control["title"]
    assert real["online_bits"] < 0.5 * control["online_bits"]


def test_existing_plot_is_kept_without_force(digits_npz, tmp_path, capsys):
    """An existing --plot file is an error before any training, unless --force is given."""
    plot = tmp_path / "probe.png"
    plot.write_bytes(b"keep me")
    assert main(["probe", digits_npz, "--plot", str(plot)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert plot.read_bytes() == b"keep me"


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ({"X": np.zeros((4, 2))}, "needs arrays 'X'"),
        ({"X": np.zeros((4, 2)), "y": np.array([0.5, 1, 0, 1])}, "integer labels"),
        ({"X": np.zeros((4, 2)), "y": np.zeros(4, dtype=int)}, "at least 2"),
        ({"X": np.zeros((3, 2)), "y": np.array([0, 1, 0, 1])}, "must be"),
        ({"X": np.array([[{}], [1]], dtype=object), "y": np.array([0, 1])}, "plain numeric arrays"),
    ],
)
def test_malformed_data_is_a_one_line_error(tmp_path, capsys, arrays, message):
    """A data file without usable X and y gives exit code 1 and one line saying what is wrong."""
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    assert main(["probe", str(path)]) == 1
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1


def test_not_an_npz_file_is_a_one_line_error(tmp_path, capsys):
    """A file that is not .npz at all is refused in one line, as is a missing file."""
    path = tmp_path / "text.npz"
    path.write_text("hello")
    assert main(["probe", str(path)]) == 1
    assert "not a NumPy .npz file" in capsys.readouterr().err
    assert main(["probe", str(tmp_path / "missing.npz")]) == 1
    assert "no such file" in capsys.readouterr().err


@pytest.fixture(scope="module")
def digits_600(tmp_path_factory):
    """600 digits: enough for the MLP to overtake the linear probe in the later blocks."""
    return digits_file(tmp_path_factory, 600, "digits600.npz")


def test_switch_code_over_linear_and_mlp_probes_is_below_the_better_probe(digits_600, capsys):
    """--probe linear mlp --json: the record carries each probe's record and the switch code, which is
    at most the better probe's bits plus its stated switching cost, and below it: the linear probe leads
    the first blocks and the MLP the last ones."""
    assert main(["probe", digits_600, "--probe", "linear", "mlp", "--seeds", "1", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    switch, probes = record["switch"], record["probes"]
    assert set(probes) == {"linear", "mlp"} and probes["mlp"]["probe"] == "mlp"
    best = min(probes[name]["online_bits"] for name in probes)
    assert switch["best_probe_bits"] == pytest.approx(best)
    assert switch["switching_cost_bits"] == pytest.approx(np.log2(2) + np.log2(600))
    assert switch["bits"] <= best + switch["switching_cost_bits"]
    assert switch["bits"] < best
    leaders = [block["leader"] for block in switch["leader_by_block"]]
    assert leaders[2] == "linear" and leaders[-1] == "mlp"
    assert record["totals"]["bits"] == pytest.approx(switch["bits"])
    assert sum(step["bits"] for step in record["steps"]) == pytest.approx(switch["bits"])


def test_several_probes_given_either_way_and_their_table(digits_npz, capsys):
    """--probe linear --probe mlp means the same as --probe linear mlp; the table ends with the switch code."""
    assert main(["probe", digits_npz, "--probe", "linear", "--probe", "mlp", "--schedule", "doubling",
                 "--seeds", "1"]) == 0
    table = capsys.readouterr().out
    for words in ("Switch code on digits.npz over the linear, mlp probes", "best single probe", "switching cost",
                  "mlp probe", "linear probe"):
        assert words in table
