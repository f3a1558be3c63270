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
