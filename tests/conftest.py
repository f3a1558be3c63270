"""Shared fixtures: the real corpus (skipped cleanly where ../shared is absent) and small configs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from trainzip.codec.settings import CodecConfig
from trainzip.models.context_mixing import ContextMixingConfig
from trainzip.models.network.config import EXACT_LSTM, NetworkConfig

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
CANTERBURY = CORPUS / "canterbury"

# Small tables keep the tests fast; the code path is the one every level runs.
TINY_CM = ContextMixingConfig(table_bits=16, match_bits=16)
TINY = CodecConfig(level="tiny", context_mixing=TINY_CM, network=None)
TINY_NEURAL = CodecConfig(level="tiny-neural", context_mixing=TINY_CM,
                          network=NetworkConfig(kind=EXACT_LSTM, embedding=8, hidden=16, bptt=4), network_min_bytes=0,
                          single_stream_below=0)


def corpus_file(name: str) -> Path:
    """A file of the shared corpus, or a clean skip where the corpus is not checked out beside us."""
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"shared corpus not found at {path}")
    return path


@pytest.fixture
def run_cli(tmp_path):
    """Run `python -m trainzip ARGS` in a fresh process (in tmp_path); returns the CompletedProcess."""

    def run(*args: str, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
        env = dict(os.environ, PYTHONWARNINGS="ignore")
        return subprocess.run([sys.executable, "-m", "trainzip", *args], input=stdin, capture_output=True,
                              cwd=cwd or tmp_path, env=env, timeout=1200)

    return run


@pytest.fixture(scope="module")
def one_torch_thread():
    """One PyTorch thread while a module's small models train (the caller's count comes back after):
    on a shared 2-core machine a second thread mostly waits for the first. Use it with
    ``pytestmark = pytest.mark.usefixtures("one_torch_thread")``."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
