"""`trainzip lm`: bits per byte of a small GPT-2 (built from a config, trained briefly, saved; nothing
is downloaded) on a text, frozen and learning, equal to the real bitstream and decoded exactly."""

import contextlib
import io
import json
import math
from pathlib import Path

import trainzip  # noqa: F401  (first: sets MKL's reproducibility mode before torch loads)
import pytest

from trainzip.cli import main
from trainzip.errors import TrainzipError
from trainzip.integrations import is_transformers_available

pytestmark = [pytest.mark.skipif(not is_transformers_available(), reason="transformers is not installed"),
              pytest.mark.usefixtures("one_torch_thread"),
              pytest.mark.filterwarnings("ignore::UserWarning"), pytest.mark.filterwarnings("ignore::FutureWarning")]

CORPUS = Path(__file__).parents[1] / ".." / "shared" / "corpus" / "canterbury" / "alice29.txt"
CONTEXT = 64


@pytest.fixture(scope="module")
def corpus():
    if not CORPUS.exists():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    data = CORPUS.read_bytes()
    # non-ASCII at the end: the text has more UTF-8 bytes than characters
    return data[:12_000].decode(), data[40_000:52_000] + "\ncaf\u00e9, na\u00efve \u2014 fin\n".encode()


def _tokenizer(train_text: str):
    """A byte-level BPE of 400 tokens trained on ``train_text`` (GPT-2's scheme, made offline)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    bpe.train_from_iterator([train_text], trainers.BpeTrainer(
        vocab_size=400, special_tokens=["<|endoftext|>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False))
    return PreTrainedTokenizerFast(tokenizer_object=bpe, bos_token="<|endoftext|>", eos_token="<|endoftext|>")


@pytest.fixture(scope="module")
def gpt2(corpus, tmp_path_factory):
    """A 1-layer GPT-2 of width 32, trained 30 AdamW steps on other text than the one coded, saved."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    train_text, _ = corpus
    tokenizer = _tokenizer(train_text)
    torch.manual_seed(0)
    model = GPT2LMHeadModel(GPT2Config(vocab_size=len(tokenizer), n_positions=CONTEXT, n_embd=32, n_layer=1, n_head=2,
                                       bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id))
    ids = torch.tensor(tokenizer.encode(train_text, add_special_tokens=False))
    batches = ids[:len(ids) // CONTEXT * CONTEXT].view(-1, CONTEXT)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
    for _ in range(30):
        batch = batches[torch.randint(0, len(batches), (8,))]
        loss = model(batch, labels=batch).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    path = tmp_path_factory.mktemp("gpt2")
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


@pytest.fixture(scope="module")
def text_file(corpus, tmp_path_factory):
    path = tmp_path_factory.mktemp("text") / "alice.txt"
    path.write_bytes(corpus[1])
    return path


def _run(capsys, *args) -> tuple[int, str, str]:
    status = main(["lm", *map(str, args)])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _reference_bits(model_dir, text: bytes) -> float:
    """The frozen code length written out plainly: each window of 64 tokens behind <|endoftext|>,
    the model's cross-entropy summed in nats, over ln 2."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(model_dir, local_files_only=True).eval()
    ids = tokenizer.encode(text.decode(), add_special_tokens=False)
    ids += [tokenizer.eos_token_id] * (-len(ids) % CONTEXT)
    tokens = torch.tensor(ids).view(-1, CONTEXT)
    contexts = torch.cat([torch.full_like(tokens[:, :1], tokenizer.bos_token_id), tokens[:, :-1]], dim=1)
    with torch.no_grad():
        logits = model(contexts).logits
    nats = torch.nn.functional.cross_entropy(logits.flatten(0, 1).double(), tokens.flatten(), reduction="sum")
    return nats.item() / math.log(2)


@pytest.fixture(scope="module")
def frozen_and_learning(gpt2, text_file, tmp_path_factory):
    """The figures (--json) and streams of the frozen model and of one AdamW step per 4 windows."""
    out = tmp_path_factory.mktemp("streams")
    runs = {}
    # a module fixture cannot take capsys: stdout is redirected
    for name, extra in (("frozen", []), ("learning", ["--learn", "--lr", "3e-3", "--chunk", "4"])):
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            status = main(["lm", str(text_file), "--model", str(gpt2), "--json", "-o", str(out / f"{name}.tzl"),
                           *extra])
        assert status == 0
        runs[name] = (json.loads(buffer.getvalue()), out / f"{name}.tzl")
    return runs


def test_bits_per_byte_frozen_and_learning_equal_the_bitstream_within_a_tenth_of_a_percent(frozen_and_learning,
                                                                                         text_file):
    """Both runs: the payload's bits are within 0.1% of the -log2 p sum (and never below it by more
    than the coder's final word), both divided by the text's UTF-8 bytes (more than its characters),
    the in-process decode is exact, and learning as it reads costs fewer bits than staying frozen."""
    text = text_file.read_bytes()
    assert len(text) > len(text.decode())
    for figures, _ in frozen_and_learning.values():
        assert figures["bytes"] == len(text) and figures["decoded_exactly"] is True
        assert figures["tokenization"] == "tokenizer" and figures["context"] == CONTEXT
        assert abs(figures["stream_over_estimate"] - 1) < 0.001
        assert figures["bits_per_byte_estimate"] == pytest.approx(figures["estimate_bits"] / len(text))
        assert figures["bits_per_byte_stream"] == figures["stream_bits"] / len(text)
        assert "UTF-8 bytes" in figures["definition"]
    frozen, learning = frozen_and_learning["frozen"][0], frozen_and_learning["learning"][0]
    assert learning["bits_per_byte_estimate"] < frozen["bits_per_byte_estimate"] < 8


def test_frozen_estimate_is_the_models_cross_entropy_in_bits(frozen_and_learning, gpt2, text_file):
    """The frozen estimate equals a plain forward pass's summed cross-entropy over ln 2 (not nats)."""
    figures = frozen_and_learning["frozen"][0]
    assert figures["estimate_bits"] == pytest.approx(_reference_bits(gpt2, text_file.read_bytes()), rel=1e-5)


def test_written_streams_decode_to_the_exact_text(frozen_and_learning, gpt2, text_file, tmp_path, capsys):
    """`--decode` of each written stream, given only the model directory, gives back every byte."""
    for name, (figures, stream) in frozen_and_learning.items():
        assert stream.stat().st_size == figures["file_bytes"]
        status, _, err = _run(capsys, stream, "--model", gpt2, "--decode", "-o", tmp_path / f"{name}.txt")
        assert status == 0, err
        assert (tmp_path / f"{name}.txt").read_bytes() == text_file.read_bytes()


def test_table_names_the_unit_and_both_figures(gpt2, tmp_path, capsys):
    """The plain output says how bits per byte is counted and gives estimate, bitstream and decode."""
    path = tmp_path / "short.txt"
    path.write_bytes(b"Alice was beginning to get very tired of sitting by her sister on the bank.")
    status, out, _ = _run(capsys, path, "--model", gpt2, "--context", "16")
    assert status == 0
    assert "total bits of the token code / UTF-8 bytes of the text" in out
    assert "estimate (sum of -log2 p)" in out and "bitstream (payload)" in out and "decoded: exact" in out


def test_text_that_is_not_utf8_falls_back_to_one_token_per_byte(gpt2, tmp_path, capsys):
    """Bytes that are not UTF-8 cannot go through the tokenizer: each byte gets its byte-level token,
    the output says so, and the stream decodes to the same bytes."""
    path, back = tmp_path / "binary.bin", tmp_path / "back.bin"
    path.write_bytes(b"\xff\xfeAlice\x00\x80 \xc3")
    status, out, _ = _run(capsys, path, "--model", gpt2, "--context", "8", "--json", "-o", tmp_path / "b.tzl")
    figures = json.loads(out)
    assert status == 0 and figures["tokenization"] == "bytes" and figures["tokens"] == 11
    assert _run(capsys, tmp_path / "b.tzl", "--model", gpt2, "--decode", "-o", back)[0] == 0
    assert back.read_bytes() == path.read_bytes()


def test_a_tokenizer_that_loses_bytes_is_refused():
    """A tokenizer whose decode does not give the text back, with no byte tokens, is refused."""
    from trainzip.language_models.text_tokens import tokenize

    class Lossy:
        def encode(self, text, add_special_tokens=False):
            return [0]

        def decode(self, ids, clean_up_tokenization_spaces=False):
            return "?"

        def get_vocab(self):
            return {"?": 0}

    with pytest.raises(TrainzipError, match="does not give this text back byte for byte"):
        tokenize(Lossy(), b"abc")


@pytest.fixture
def not_causal(gpt2, tmp_path):
    """A directory holding a tokenizer and a DistilBERT config: a model with no causal LM head."""
    from transformers import AutoTokenizer, DistilBertConfig

    path = tmp_path / "bert"
    DistilBertConfig(vocab_size=400, dim=32, n_layers=1, n_heads=2, hidden_dim=64).save_pretrained(path)
    AutoTokenizer.from_pretrained(gpt2, local_files_only=True).save_pretrained(path)
    return path


@pytest.mark.parametrize("case", ["missing model", "not causal", "empty file", "missing file"])
def test_bad_input_is_one_line_error_and_no_output(case, gpt2, not_causal, text_file, tmp_path, capsys):
    """Each is `trainzip: error: ...` on one line, exit 1, and no output file."""
    text, model, empty = text_file, gpt2, tmp_path / "empty.txt"
    empty.write_bytes(b"")
    text, model = {"missing model": (text, tmp_path / "nowhere"), "not causal": (text, not_causal),
                   "empty file": (empty, model), "missing file": (tmp_path / "none.txt", model)}[case]
    output = tmp_path / "out.tzl"
    status, out, err = _run(capsys, text, "--model", model, "-o", output)
    assert status == 1 and err.startswith("trainzip: error: ") and err.count("\n") == 1 and not out
    assert not output.exists()
    expected = {"missing model": "no such model directory", "not causal": "not a causal language model",
                "empty file": "the text is empty", "missing file": "No such file"}[case]
    assert expected in err


def test_decoding_with_another_model_is_refused_before_decoding(frozen_and_learning, gpt2, tmp_path, capsys):
    """A stream decoded with other weights is refused by the training fingerprint, in one line."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    other = tmp_path / "other"
    model = AutoModelForCausalLM.from_pretrained(gpt2, local_files_only=True)
    with torch.no_grad():
        model.lm_head.weight.add_(0.01)
    model.save_pretrained(other)
    AutoTokenizer.from_pretrained(gpt2, local_files_only=True).save_pretrained(other)
    status, _, err = _run(capsys, frozen_and_learning["learning"][1], "--model", other, "--decode",
                          "-o", tmp_path / "x.txt")
    assert status == 1 and "differs from the encoder's" in err and err.count("\n") == 1
    assert not (tmp_path / "x.txt").exists()


def test_a_users_python_file_can_supply_the_model(gpt2, tmp_path, capsys):
    """`--model my_lm.py`: its load() gives (model, tokenizer), coded and decoded like a directory."""
    (tmp_path / "my_lm.py").write_text(
        "from transformers import AutoModelForCausalLM, AutoTokenizer\n\n\n"
        f"def load():\n    path = {str(gpt2)!r}\n"
        "    return (AutoModelForCausalLM.from_pretrained(path, local_files_only=True),\n"
        "            AutoTokenizer.from_pretrained(path, local_files_only=True))\n")
    path = tmp_path / "short.txt"
    path.write_bytes(b"Down the Rabbit-Hole")
    status, out, _ = _run(capsys, path, "--model", tmp_path / "my_lm.py", "--context", "8", "--json")
    assert status == 0 and json.loads(out)["decoded_exactly"] is True


def test_a_stream_whose_text_settings_are_garbled_is_refused_in_one_line(frozen_and_learning, gpt2, tmp_path, capsys):
    """A stream whose `text` record lacks a setting (or holds one of another kind) is a one-line format
    error naming it, never a KeyError."""
    from dataclasses import replace

    from trainzip.container import pack, unpack

    container = unpack(frozen_and_learning["frozen"][1].read_bytes())
    text = {key: value for key, value in container.metadata["text"].items() if key != "learn"}
    text["tokens"] = "many"
    (tmp_path / "garbled.tzl").write_bytes(pack(replace(container, metadata=dict(container.metadata, text=text))))
    status, _, err = _run(capsys, tmp_path / "garbled.tzl", "--model", gpt2, "--decode", "-o", tmp_path / "x.txt")
    assert status == 1 and err.count("\n") == 1 and "Traceback" not in err
    assert "lack or garble learn, tokens" in err and not (tmp_path / "x.txt").exists()
