"""Whole real files round-trip exactly, each decoded in a fresh process (no shared state)."""

import os
import subprocess
import sys

import pytest

from tests.conftest import CANTERBURY, TINY, corpus_file
from trainzip.codec import compress_with_report

CANTERBURY_FILES = ["alice29.txt", "asyoulik.txt", "cp.html", "fields.c", "grammar.lsp", "kennedy.xls",
                    "lcet10.txt", "plrabn12.txt", "ptt5", "sum", "xargs.1"]


def _decode_in_fresh_process(tz_path, out_path):
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    result = subprocess.run([sys.executable, "-m", "trainzip", "decompress", "-q", str(tz_path), "-o", str(out_path)],
                            capture_output=True, env=env, timeout=1200)
    assert result.returncode == 0, result.stderr.decode()[-1000:]
    return out_path.read_bytes()


@pytest.mark.slow
@pytest.mark.parametrize("name", [f"canterbury/{n}" for n in CANTERBURY_FILES] + ["enwik6"])
def test_real_file_round_trip_small_model(name, tmp_path):
    """Every Canterbury file and enwik6, with a small fast model, decoded by another process."""
    data = corpus_file(name).read_bytes()
    blob, report = compress_with_report(data, config=TINY)
    assert report.compressed_bytes < len(data)
    tz = tmp_path / "file.tz"
    tz.write_bytes(blob)
    assert _decode_in_fresh_process(tz, tmp_path / "restored") == data


@pytest.mark.slow
def test_alice_default_level_in_fresh_processes(tmp_path, run_cli):
    """The default level on alice29.txt: compressed by one process, decoded by another, smaller than xz -9e."""
    source = tmp_path / "alice29.txt"
    source.write_bytes(corpus_file("canterbury/alice29.txt").read_bytes())
    result = run_cli("compress", "-q", str(source))
    assert result.returncode == 0, result.stderr.decode()[-1000:]
    compressed = tmp_path / "alice29.txt.tz"
    assert compressed.stat().st_size < 48_528  # xz -9e on the same file
    assert _decode_in_fresh_process(compressed, tmp_path / "restored") == source.read_bytes()


def test_canterbury_listing_is_complete():
    """The round-trip list covers every file of the corpus directory."""
    if not CANTERBURY.exists():
        pytest.skip("shared corpus not present")
    assert sorted(p.name for p in CANTERBURY.iterdir() if p.is_file()) == sorted(CANTERBURY_FILES)
