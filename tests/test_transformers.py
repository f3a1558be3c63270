"""The Hugging Face Trainer callback: bits per token of a small causal LM trained from scratch on
corpus text, the run record and scalars, and exact (or refused) resumes from step checkpoints."""

import json
import math
import sys
from pathlib import Path

import trainzip  # noqa: F401  (first: sets MKL's reproducibility mode before torch loads)
import pytest

from trainzip.errors import ResumeError
from trainzip.integrations import is_tensorboard_available, is_transformers_available

pytestmark = [pytest.mark.skipif(not is_transformers_available(), reason="transformers is not installed"),
              pytest.mark.usefixtures("one_torch_thread"),
              pytest.mark.filterwarnings("ignore::UserWarning"), pytest.mark.filterwarnings("ignore::FutureWarning")]

EXAMPLES = Path(__file__).parents[1] / "examples"
TEXT = Path(__file__).parents[1] / ".." / "shared" / "corpus" / "canterbury" / "alice29.txt"
SEQUENCE = 32


@pytest.fixture(scope="module")
def example():
    """examples/trainer_causal_lm.py, imported."""
    sys.path.insert(0, str(EXAMPLES))
    try:
        import trainer_causal_lm
    finally:
        sys.path.remove(str(EXAMPLES))
    return trainer_causal_lm


@pytest.fixture(scope="module")
def text():
    if not TEXT.exists():
        pytest.skip(f"shared corpus not found at {TEXT}")
    return TEXT.read_bytes()[20_000:20_000 + 160 * SEQUENCE]  # 160 sequences: 20 steps of 8


def stop_at(step: int):
    from transformers import TrainerCallback

    class Stop(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            if state.global_step == step:
                control.should_training_stop = True

    return Stop()


@pytest.fixture(scope="module")
def runs(example, text, tmp_path_factory):
    """An uninterrupted run (with record and TensorBoard), and one stopped after its step-10 checkpoint."""
    root = tmp_path_factory.mktemp("trainer")
    whole = example.run(text, str(root / "whole"), sequence_length=SEQUENCE, record=str(root / "run.json"), save_steps=10)
    cut = example.run(text, str(root / "cut"), sequence_length=SEQUENCE, callbacks=[stop_at(10)], save_steps=10)
    return {"root": root, "whole": whole, "cut": cut, "checkpoint": root / "cut" / "checkpoint-10"}


def test_trainer_run_meters_bits_per_token_of_every_new_batch(runs):
    """One epoch of 20 batches of 8 x 32 bytes: 160 x 31 next-token targets, metered once each, in
    bits (the untrained model pays about log2 256 = 8 bits per token, not 5.5 nats), falling as it
    learns; the record says tokens, and the Trainer's log history carries the figures."""
    meter = runs["whole"].meter
    totals = meter.totals()
    assert totals["samples"] == 160 * (SEQUENCE - 1)
    assert len(meter.steps) == 20
    first = meter.steps[0]
    assert 7.6 < first["bits"] / first["samples"] < 8.4
    assert totals["bits_per_sample"] < 7.0 and totals["compression_ratio"] > 8 / 7
    record = json.loads((runs["root"] / "run.json").read_text())
    assert record["symbol"] == "token" and record["totals"]["bits"] == pytest.approx(totals["bits"])
    assert record["trainer"]["global_step"] == 20
    assert record["coverage"] == {"dataset_size": 160, "epochs_metered": 1, "examples_metered": 160,
                                  "share_metered": 1.0, "complete": True, "skipped": None}
    assert runs["cut"].coverage_figures["examples_metered"] == 80  # stopped at step 10 of 20
    assert runs["cut"].coverage_figures["complete"] is False


def test_trainer_resumed_from_a_step_checkpoint_ends_with_the_uninterrupted_totals(example, text, runs):
    """Resumed from checkpoint-10 (the meter's state rides in trainer_state.json), the Trainer skips
    the batches it trained on and the meter ends with the uninterrupted run's totals, to 1e-9."""
    saved = json.loads((runs["checkpoint"] / "trainer_state.json").read_text())["stateful_callbacks"]["trainzip.meter"]
    assert saved["global_step"] == 10 and saved["meter"]["batches"] == 10
    resumed = example.run(text, str(runs["root"] / "resumed"), sequence_length=SEQUENCE,
                          resume_from=str(runs["checkpoint"]), save_steps=10)
    whole = runs["whole"].meter
    assert resumed.meter.total_samples == whole.total_samples
    assert resumed.meter.total_bits == pytest.approx(whole.total_bits, rel=1e-9)
    assert [s["bits"] for s in resumed.meter.steps] == pytest.approx([s["bits"] for s in whole.steps], rel=1e-9)
    assert saved["coverage"]["examples"] == 80
    assert resumed.coverage_figures["examples_metered"] == 160 and resumed.coverage_figures["complete"] is True


def tiny_trainer(example, text, tmp_path, callback, **overrides):
    """A 1-layer GPT-2 Trainer over 24 sequences (3 steps of 8 an epoch), without checkpoints."""
    from transformers import Trainer, default_data_collator

    import torch

    torch.manual_seed(0)
    return Trainer(model=example.tiny_gpt2(SEQUENCE, layers=1, width=16, heads=2),
                   args=example.training_arguments(str(tmp_path / "out"), save_strategy="no", **overrides),
                   train_dataset=example.ByteChunks(text[:24 * SEQUENCE], SEQUENCE),
                   data_collator=default_data_collator, callbacks=[callback])


def test_trainer_stopped_short_of_its_epoch_warns_and_skips_the_final_model(example, text, tmp_path):
    """max_steps=2 of an epoch of 3 meters 16 of 24 sequences: a CoverageWarning names the share,
    the record's coverage says so, and score_final does not score the final model on that share."""
    from trainzip.errors import CoverageWarning
    from trainzip.integrations.transformers import PrequentialTrainerCallback

    callback = PrequentialTrainerCallback(record_path=str(tmp_path / "run.json"), score_final=True)
    with pytest.warns(CoverageWarning, match=r"16 of the 24 examples x 1 epoch\(s\).*\(66\.7%\).*not scored"):
        tiny_trainer(example, text, tmp_path, callback, max_steps=2).train()
    record = json.loads((tmp_path / "run.json").read_text())
    assert record["coverage"]["examples_metered"] == 16 and record["coverage"]["dataset_size"] == 24
    assert record["totals"]["samples"] == 16 * (SEQUENCE - 1) and record["totals"]["regret_bits"] is None


def test_trainer_score_final_fills_the_final_model_figures_and_the_regret(example, text, tmp_path):
    """score_final=True after a whole epoch: the final model's bits equal an independent scoring of
    the trained model on every sequence's shifted pairs, and regret = online - final (non-null)."""
    import torch
    import torch.nn.functional as F

    from trainzip.integrations.transformers import PrequentialTrainerCallback

    callback = PrequentialTrainerCallback(record_path=str(tmp_path / "run.json"), score_final=True)
    trainer = tiny_trainer(example, text, tmp_path, callback)
    trainer.train()
    totals = json.loads((tmp_path / "run.json").read_text())["totals"]
    tokens = example.ByteChunks(text[:24 * SEQUENCE], SEQUENCE).tokens
    trainer.model.eval()
    with torch.no_grad():
        logits = trainer.model(input_ids=tokens).logits[:, :-1].double()
    final_nats = F.cross_entropy(logits.reshape(-1, 256), tokens[:, 1:].reshape(-1), reduction="sum").item()
    final_bits = final_nats / math.log(2)
    assert totals["samples"] == 24 * (SEQUENCE - 1) == callback.meter.final_samples
    assert totals["final_model_bits"] == pytest.approx(final_bits, rel=1e-6)  # batches of 8 against one of 24
    assert totals["regret_bits"] is not None
    assert totals["regret_bits"] == pytest.approx(totals["bits"] - totals["final_model_bits"], rel=1e-9)
    assert totals["absorbed_bits"] == pytest.approx(totals["uniform_bits"] - totals["final_model_bits"], rel=1e-9)
    assert totals["regret_bits"] > 0


def test_trainer_resumes_that_cannot_be_exact_are_refused(example, text, runs, tmp_path):
    """ignore_data_skip=True in the middle of the metered epoch, or a checkpoint without the meter's
    state, is refused before any batch is metered."""
    with pytest.raises(ResumeError, match="ignore_data_skip"):
        example.run(text, str(tmp_path / "a"), sequence_length=SEQUENCE, resume_from=str(runs["checkpoint"]),
                    ignore_data_skip=True)
    stripped = tmp_path / "checkpoint-10"
    import shutil

    shutil.copytree(runs["checkpoint"], stripped)
    state = json.loads((stripped / "trainer_state.json").read_text())
    del state["stateful_callbacks"]["trainzip.meter"]
    (stripped / "trainer_state.json").write_text(json.dumps(state))
    with pytest.raises(ResumeError, match="holds none"):
        example.run(text, str(tmp_path / "b"), sequence_length=SEQUENCE, resume_from=str(stripped))


@pytest.mark.skipif(not is_tensorboard_available(), reason="tensorboard is not installed")
def test_trainer_callback_writes_tensorboard_scalars(example, text, tmp_path):
    """With tensorboard_dir the meter's scalars (bits per token, cumulative kbits) reach an event file."""
    from transformers import Trainer, default_data_collator

    from trainzip.integrations.transformers import PrequentialTrainerCallback

    callback = PrequentialTrainerCallback(tensorboard_dir=str(tmp_path / "tb"))
    trainer = Trainer(model=example.tiny_gpt2(SEQUENCE, layers=1, width=16, heads=2),
                      args=example.training_arguments(str(tmp_path / "out"), save_strategy="no", max_steps=3),
                      train_dataset=example.ByteChunks(text[:24 * SEQUENCE], SEQUENCE),
                      data_collator=default_data_collator, callbacks=[callback])
    trainer.train()
    callback.meter.writer.close()
    assert list((tmp_path / "tb").glob("events.out.tfevents.*"))
    assert math.isfinite(callback.meter.bits_per_sample)


def test_callback_without_transformers_says_what_to_install(monkeypatch):
    """Without transformers the module imports, and building the callback names the extra."""
    import trainzip.integrations.transformers as module

    monkeypatch.setattr(module, "_Base", object)
    with pytest.raises(ImportError, match=r"trainzip\[transformers\]"):
        module.PrequentialTrainerCallback()


@pytest.mark.skipif(not is_tensorboard_available(), reason="tensorboard is not installed")
def test_attached_callback_figures_reach_the_trainers_tensorboard_reporter(example, text, tmp_path, monkeypatch):
    """attach(trainer) puts the callback before report_to's reporters: the Trainer's own TensorBoard
    event file holds trainzip's scalars at every logging step (2, 4, 6), equal to the log history's,
    tokens metered = steps x 8 x 31; step checkpoints still carry the meter's state."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from transformers import Trainer, default_data_collator

    from trainzip.integrations.transformers import PrequentialTrainerCallback

    monkeypatch.setenv("TENSORBOARD_LOGGING_DIR", str(tmp_path / "tb"))
    trainer = Trainer(model=example.tiny_gpt2(SEQUENCE, layers=1, width=16, heads=2),
                      args=example.training_arguments(str(tmp_path / "out"), max_steps=6, logging_steps=2,
                                                      save_steps=3, report_to=["tensorboard"]),
                      train_dataset=example.ByteChunks(text[:48 * SEQUENCE], SEQUENCE),
                      data_collator=default_data_collator)
    callback = PrequentialTrainerCallback().attach(trainer)
    trainer.train()
    events = EventAccumulator(str(tmp_path / "tb"))
    events.Reload()
    logged = {tag: {event.step: event.value for event in events.Scalars(f"train/trainzip/{tag}")}
              for tag in ("bits_per_token", "cumulative_kbits", "tokens_metered")}
    assert logged["tokens_metered"] == {2: 2 * 8 * 31, 4: 4 * 8 * 31, 6: 6 * 8 * 31}
    history = {entry["step"]: entry for entry in trainer.state.log_history if "loss" in entry}
    for step in (2, 4, 6):
        assert logged["bits_per_token"][step] == pytest.approx(history[step]["trainzip/bits_per_token"], rel=1e-6)
        assert logged["cumulative_kbits"][step] == pytest.approx(history[step]["trainzip/cumulative_kbits"], rel=1e-6)
    assert logged["cumulative_kbits"][6] == pytest.approx(callback.meter.total_bits / 1000, rel=1e-6)
    saved = json.loads((tmp_path / "out" / "checkpoint-3" / "trainer_state.json").read_text())
    assert saved["stateful_callbacks"]["trainzip.meter"]["meter"]["batches"] == 3


@pytest.mark.skipif(not is_tensorboard_available(), reason="tensorboard is not installed")
def test_callback_passed_in_callbacks_warns_that_reporters_miss_its_figures(example, text, tmp_path, monkeypatch):
    """With report_to set and the callback in callbacks=[...] (after the reporters), a warning names attach."""
    from transformers import Trainer, default_data_collator

    from trainzip.integrations.transformers import PrequentialTrainerCallback

    monkeypatch.setenv("TENSORBOARD_LOGGING_DIR", str(tmp_path / "tb"))
    trainer = Trainer(model=example.tiny_gpt2(SEQUENCE, layers=1, width=16, heads=2),
                      args=example.training_arguments(str(tmp_path / "out"), save_strategy="no", max_steps=1,
                                                      report_to=["tensorboard"]),
                      train_dataset=example.ByteChunks(text[:8 * SEQUENCE], SEQUENCE),
                      data_collator=default_data_collator, callbacks=[PrequentialTrainerCallback()])
    with pytest.warns(UserWarning, match=r"attach\(trainer\)"):
        trainer.train()


def test_sequence_classifier_needs_shift_labels_false_and_is_metered_with_it(text, tmp_path, example):
    """A sequence classifier's (B, K) logits under the default shift_labels=True raise InputError that
    says to pass shift_labels=False (not a raw IndexError); with it, each sequence is one sample."""
    from transformers import GPT2Config, GPT2ForSequenceClassification, Trainer, default_data_collator

    from trainzip.errors import InputError
    from trainzip.integrations.transformers import PrequentialTrainerCallback

    sequences = example.ByteChunks(text[:16 * SEQUENCE], SEQUENCE).tokens  # (16, T)
    labelled = [{"input_ids": tokens, "labels": int(tokens[0]) % 3} for tokens in sequences]  # 3 classes

    def train(callback):
        config = GPT2Config(vocab_size=256, n_positions=SEQUENCE, n_embd=16, n_layer=1, n_head=2, num_labels=3,
                            pad_token_id=0, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)
        trainer = Trainer(model=GPT2ForSequenceClassification(config),
                          args=example.training_arguments(str(tmp_path / "out"), save_strategy="no", max_steps=2),
                          train_dataset=labelled,
                          data_collator=default_data_collator, callbacks=[callback])
        trainer.train()
        return callback.meter

    with pytest.raises(InputError, match=r"logits \(8, 3\) with labels \(8,\).*shift_labels=False"):
        train(PrequentialTrainerCallback())
    meter = train(PrequentialTrainerCallback(shift_labels=False))
    assert (meter.symbol, meter.total_samples, meter.num_classes) == ("sample", 16, 3)
    assert 0.5 < meter.steps[0]["bits"] / 8 < 4.0  # near log2 3 = 1.58 for an untrained classifier


def test_forward_hook_refusals_name_the_fix():
    """Called without labels, or with a causal LM's logits that cannot be shifted (a sequence of one
    token gives none to predict), the hook raises InputError naming what to change."""
    import torch

    from trainzip.errors import InputError
    from trainzip.integrations.transformers import PrequentialTrainerCallback

    callback = PrequentialTrainerCallback()
    callback._metering = True
    module = torch.nn.Linear(1, 1).train()
    output = {"logits": torch.zeros(2, 1, 5)}
    with pytest.raises(InputError, match="without labels"):
        callback._on_forward(module, (), {}, type("Out", (), output)())
    with pytest.raises(InputError, match="empty.*length 1"):
        callback._on_forward(module, (), {"labels": torch.zeros(2, 1, dtype=torch.long)}, type("Out", (), output)())
