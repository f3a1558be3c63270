"""The label-stream example script runs end to end (on a small slice, so the test stays fast)."""

import sys
from pathlib import Path

import trainzip  # noqa: F401  (first: sets MKL's reproducibility mode before torch loads)
import pytest

EXAMPLES = Path(__file__).parents[1] / "examples"
MNIST = Path(__file__).parents[1] / ".." / "shared" / "datasets" / "mnist"


@pytest.mark.skipif(not MNIST.is_dir(), reason="../shared/datasets/mnist is absent")
def test_mnist_prequential_script_encodes_and_decodes(capsys, monkeypatch):
    """examples/mnist_prequential.py on 300 images and one seed prints its table and verifies the decode."""
    monkeypatch.syspath_prepend(str(EXAMPLES))
    import mnist_prequential

    mnist_prequential.main(["--limit", "300", "--seeds", "1", "--first", "16", "--epochs", "1", "--min-steps", "10"])
    out = capsys.readouterr().out
    assert "uniform code: 0.997 kbits" in out  # 300 log2 10 = 996.6 bits
    assert "yes, every seed" in out
    sys.modules.pop("mnist_prequential", None)
    sys.modules.pop("example_data", None)
