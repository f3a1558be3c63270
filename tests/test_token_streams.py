"""Token streams: (n, T) sequences coded by replaying a causal LM's training, decoded exactly."""

import sys
from pathlib import Path

import trainzip  # noqa: F401  (first: sets MKL's reproducibility mode before torch loads)
import pytest
import torch

from trainzip import PrequentialMeter, decode_tokens, encode_labels, encode_tokens
from trainzip.container import unpack
from trainzip.errors import FormatError, TrainingMismatchError
from trainzip.labels import Schedule, read_token_settings

pytestmark = pytest.mark.usefixtures("one_torch_thread")

EXAMPLES = Path(__file__).parents[1] / "examples"
TEXT = Path(__file__).parents[1] / ".." / "shared" / "corpus" / "canterbury" / "grammar.lsp"


class Uniform(torch.nn.Module):
    """A 'language model' that knows nothing: zero logits over V tokens at every position."""

    def __init__(self, vocab=4):
        super().__init__()
        self.vocab = vocab
        self.unused = torch.nn.Parameter(torch.zeros(1))

    def forward(self, contexts):
        return torch.zeros(*contexts.shape, self.vocab) + 0 * self.unused


def test_uniform_model_costs_log2_v_per_token_and_round_trips():
    """Under zero logits every token costs log2 4 = 2 bits: the meter reads 2 n T exactly, the payload is
    that plus at most one word, and decoding gives the sequences back."""
    tokens = torch.randint(0, 4, (10, 6), generator=torch.Generator().manual_seed(0))
    meter = PrequentialMeter()
    options = dict(make_model=Uniform, train=lambda *a: None)
    stream = encode_tokens(tokens, vocab_size=4, bos=0, schedule=Schedule(first=3), meter=meter,
                           deterministic=False, **options)
    assert meter.total_bits == pytest.approx(2 * 60, abs=1e-9) and meter.symbol == "token"
    assert 120 <= 8 * len(unpack(stream).blocks[0].payload) <= 120 + 32
    assert torch.equal(decode_tokens(stream, **options), tokens)
    settings = read_token_settings(stream)
    assert (settings["n"], settings["length"], settings["vocab_size"], settings["bos"]) == (10, 6, 4, 0)


@pytest.mark.skipif(not TEXT.exists(), reason="shared corpus not found")
def test_example_text_decodes_exactly_in_a_fresh_process_within_the_meters_bits(tmp_path, monkeypatch):
    """examples/token_stream.py on 1,536 bytes of grammar.lsp: the stream decodes every byte in a new
    Python process, and its payload is within 0.1% plus 64 bits of the meter's prequential bits, which
    are below the uniform 8 bits per byte."""
    monkeypatch.syspath_prepend(str(EXAMPLES))
    import token_stream

    figures = token_stream.main(["--text", str(TEXT), "--bytes", "1536", "--length", "32", "--epochs", "2",
                                 "--stream", str(tmp_path / "grammar.tzt")])
    sys.modules.pop("token_stream", None)
    assert figures["exact"]
    assert abs(figures["payload_bits"] - figures["meter_bits"]) <= 0.001 * figures["meter_bits"] + 64
    assert figures["meter_bits"] < 8 * 1536
    assert figures["stream_bytes"] == figures["payload_bits"] // 8 + figures["header_bytes"]


def test_token_stream_errors_name_their_cause():
    """A label stream is not a token stream; another model is named before decoding; bad tokens are refused."""
    tokens = torch.randint(0, 4, (8, 5), generator=torch.Generator().manual_seed(1))
    stream = encode_tokens(tokens, vocab_size=4, bos=0, make_model=Uniform, train=lambda *a: None,
                           schedule=Schedule(first=4), deterministic=False)
    with pytest.raises(TrainingMismatchError, match="model class"):
        decode_tokens(stream, make_model=lambda: torch.nn.Linear(5, 4), train=lambda *a: None)
    labels = encode_labels(torch.zeros(4, 2), torch.tensor([0, 1, 0, 1]), num_classes=2, make_model=torch.nn.Identity,
                           train=lambda *a: None, deterministic=False)
    with pytest.raises(FormatError, match="not a token stream"):
        decode_tokens(labels, make_model=Uniform, train=lambda *a: None)
    with pytest.raises(ValueError, match=r"lie in \[0, 4\)"):
        encode_tokens(tokens + 1, vocab_size=4, bos=0, make_model=Uniform, train=lambda *a: None)
    with pytest.raises(ValueError, match=r"\(n, T\)"):
        encode_tokens(tokens[0], vocab_size=4, bos=0, make_model=Uniform, train=lambda *a: None)
