"""`trainzip report RUN.json -o OUT`: files it writes, what it prints, and its one-line errors."""

import json

import pytest

from trainzip.cli import main

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def run_json(tmp_path):
    """A hand-written prequential run record on disk (3 batches of 8 samples, 2 classes)."""
    record = {
        "format": "trainzip.run/1", "kind": "prequential", "unit": "bits", "symbol": "sample",
        "steps": [{"step": i, "samples": 8, "bits": b, "uniform_bits": 8.0} for i, b in enumerate([8.0, 5.0, 3.0])],
        "totals": {"samples": 24, "bits": 16.0, "uniform_bits": 24.0, "final_model_bits": 6.0,
                   "regret_bits": 10.0, "absorbed_bits": 18.0},
    }
    path = tmp_path / "run.json"
    path.write_text(json.dumps(record))
    return path


def test_png_and_html_are_written(run_json, tmp_path):
    """-o OUT.png writes a PNG; -o OUT.html a page with the PNG embedded."""
    assert main(["report", str(run_json), "-o", str(tmp_path / "run.png")]) == 0
    assert (tmp_path / "run.png").read_bytes().startswith(PNG_MAGIC)
    assert main(["report", str(run_json), "-o", str(tmp_path / "run.html")]) == 0
    page = (tmp_path / "run.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "data:image/png;base64," in page


def test_without_output_the_totals_are_printed(run_json, capsys):
    """No -o: title, headline and the totals table go to stdout."""
    assert main(["report", str(run_json)]) == 0
    out = capsys.readouterr().out
    assert "Prequential run: run" in out
    assert "regret (code − final model)" in out and "10.0 bits (0.4167 bits per sample)" in out


def test_two_runs_overlay_with_labels(run_json, tmp_path):
    """Several records and one --label each make one comparison figure."""
    out = tmp_path / "both.png"
    assert main(["report", str(run_json), str(run_json), "--label", "a", "--label", "b", "-o", str(out)]) == 0
    assert out.read_bytes().startswith(PNG_MAGIC)


def test_existing_output_needs_force(run_json, tmp_path, capsys):
    """An existing output is kept, with a one-line error, unless --force is given."""
    out = tmp_path / "run.png"
    out.write_bytes(b"old")
    assert main(["report", str(run_json), "-o", str(out)]) == 1
    assert "already exists" in capsys.readouterr().err and out.read_bytes() == b"old"
    assert main(["report", str(run_json), "-o", str(out), "--force"]) == 0
    assert out.read_bytes().startswith(PNG_MAGIC)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "out.gif"], "written as .png, .svg, .pdf or .html"),
        (["--label", "a", "--label", "b"], "one per run"),
    ],
)
def test_bad_options_are_one_line_errors(run_json, tmp_path, capsys, args, message):
    """An unknown output format or a wrong number of labels is refused in one line, exit code 1."""
    assert main(["report", str(run_json), *[str(tmp_path / a) if a.endswith(".gif") else a for a in args]]) == 1
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1


def test_a_file_that_is_not_a_run_record_is_a_one_line_error(tmp_path, capsys):
    """A JSON file of another kind is named, with what is wrong, and nothing is written."""
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"format": "something/1"}))
    assert main(["report", str(path), "-o", str(tmp_path / "x.png")]) == 1
    assert "other: not a trainzip run record" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()
