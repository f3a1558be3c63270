"""Lightning callback records: the dataset's size and the share metered (a run stopped early, or a
resume that skips data, warns), and the final model scored at the end for the regret."""

import json
import math
import warnings

import trainzip  # noqa: F401  (first: sets MKL's reproducibility mode before torch loads)
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from trainzip.errors import CoverageWarning
from trainzip.integrations import is_lightning_available

pytestmark = [pytest.mark.skipif(not is_lightning_available(), reason="lightning is not installed"),
              pytest.mark.usefixtures("one_torch_thread"),
              pytest.mark.filterwarnings("ignore::UserWarning"),  # Lightning's advice on workers and loggers
              pytest.mark.filterwarnings("ignore::FutureWarning")]  # lightning 2.6 on torch 2.13's pytree APIs

DIGITS = 1797  # samples in sklearn's digits: 29 batches of 64 (the last of 5)


def digits():
    from sklearn.datasets import load_digits

    data = load_digits()
    return torch.utils.data.TensorDataset(torch.from_numpy((data.data / 16).astype(np.float32)),
                                          torch.from_numpy(data.target.astype(np.int64)))


def fit(root, *, score_final=False, ckpt_path=None, drop_last=False, **limits):
    """A metered Lightning fit of a linear classifier on digits (batches of 64, a resumable loader)."""
    import lightning.pytorch as pl
    from torchdata.stateful_dataloader import StatefulDataLoader

    from trainzip.integrations.lightning import PrequentialCallback

    class Classifier(pl.LightningModule):
        def __init__(self):
            super().__init__()
            torch.manual_seed(0)
            self.net = torch.nn.Linear(64, 10)

        def training_step(self, batch, batch_idx):
            x, y = batch
            logits = self.net(x)
            loss = F.cross_entropy(logits, y)
            self.log("loss", loss)  # muted while the final model is scored
            return {"loss": loss, "logits": logits}

        def configure_optimizers(self):
            return torch.optim.Adam(self.parameters(), lr=0.05)

    callback = PrequentialCallback(record_path=str(root / "run.json"), log_scalars=False, score_final=score_final)
    trainer = pl.Trainer(callbacks=[callback], logger=False, enable_progress_bar=False, enable_model_summary=False,
                         accelerator="cpu", default_root_dir=str(root), **limits)
    model = Classifier()
    trainer.fit(model, StatefulDataLoader(digits(), batch_size=64, drop_last=drop_last), ckpt_path=ckpt_path)
    return callback, model, json.loads((root / "run.json").read_text())


def test_a_run_stopped_early_and_a_resume_that_skips_data_warn_and_say_so(tmp_path):
    """fit(max_steps=12) meters 768 of 1,797 samples: it warns, and the record's coverage says 42.7%.
    Its checkpoint, resumed with max_epochs=2, is taken by Lightning as the end of epoch 0: the
    callback warns at once that the last 17 batches go unmetered, and again at the end."""
    with pytest.warns(CoverageWarning, match=r"768 of the 1,797 examples x 1 epoch\(s\) .*\(42\.7%\)"):
        _, _, record = fit(tmp_path / "cut", max_steps=12)
    assert record["coverage"] == {"dataset_size": DIGITS, "epochs_metered": 1, "examples_metered": 768,
                                  "share_metered": pytest.approx(768 / DIGITS), "complete": False, "skipped": None}
    checkpoint = next((tmp_path / "cut").rglob("*.ckpt"))
    with pytest.warns(CoverageWarning) as caught:
        callback, _, record = fit(tmp_path / "resumed", max_epochs=2, ckpt_path=str(checkpoint))
    messages = [str(warning.message) for warning in caught if warning.category is CoverageWarning]
    assert len(messages) == 2
    assert "after 12 of the 29 batches of epoch 0, which Lightning counts as done: its last 17 batches" in messages[0]
    assert messages[1].startswith("the meter covered 768 of the 1,797") and "counts as done" in messages[1]
    assert record["totals"]["samples"] == 768
    assert record["coverage"]["examples_metered"] == 768 and record["coverage"]["complete"] is False
    assert "epoch 0" in record["coverage"]["skipped"]
    assert callback.coverage_figures == record["coverage"]


def test_a_full_epoch_is_complete_and_scoring_the_final_model_gives_the_regret(tmp_path):
    """One whole epoch: the coverage is complete (share 1.0, no CoverageWarning), and score_final
    fills the final-model figures: the final model's bits equal an independent scoring of the
    trained model on every sample, and regret = online - final, absorbed = uniform - final."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        callback, model, record = fit(tmp_path, max_epochs=1, score_final=True)
    assert not [warning for warning in caught if warning.category is CoverageWarning]
    assert record["coverage"]["share_metered"] == 1.0 and record["coverage"]["complete"] is True
    totals = record["totals"]
    x, y = digits().tensors
    with torch.no_grad():
        final_bits = F.cross_entropy(model.net(x).double(), y, reduction="sum").item() / math.log(2)
    assert totals["final_model_bits"] == pytest.approx(final_bits, rel=1e-6)  # batches of 64 against one of 1,797
    assert totals["regret_bits"] is not None
    assert totals["regret_bits"] == pytest.approx(totals["bits"] - totals["final_model_bits"], rel=1e-9)
    assert totals["absorbed_bits"] == pytest.approx(DIGITS * math.log2(10) - totals["final_model_bits"], rel=1e-9)
    assert 0 < totals["regret_bits"] < totals["bits"]
    assert callback.meter.final_samples == callback.meter.total_samples == DIGITS
    assert model.training  # scoring put the module back in training mode


def test_the_final_model_is_not_scored_on_a_share_of_the_data(tmp_path):
    """score_final after max_steps=12: scoring the whole dataset would not match the 768 samples
    metered, so it is skipped, the warning says so, and the regret stays null."""
    with pytest.warns(CoverageWarning, match="the final model was not scored"):
        _, _, record = fit(tmp_path, max_steps=12, score_final=True)
    assert record["totals"]["regret_bits"] is None and record["totals"]["final_model_bits"] is None


def test_a_loader_that_drops_its_last_partial_batch_meters_a_whole_epoch(tmp_path):
    """With drop_last, a full epoch meters 28 batches of 64 (1,792 of 1,797): complete, no warning
    (the suite turns warnings into errors), and the final model is scored."""
    _, _, record = fit(tmp_path, score_final=True, max_epochs=1, drop_last=True)
    coverage = record["coverage"]
    assert (coverage["dataset_size"], coverage["examples_metered"], coverage["complete"]) == (DIGITS, 1792, True)
    assert record["totals"]["regret_bits"] is not None


def test_the_examples_a_loader_drops_are_its_last_partial_batch():
    from trainzip.integrations.coverage import dropped_per_epoch

    data = digits()
    assert dropped_per_epoch(torch.utils.data.DataLoader(data, batch_size=64, drop_last=True), DIGITS) == 5
    assert dropped_per_epoch(torch.utils.data.DataLoader(data, batch_size=64), DIGITS) == 0
    assert dropped_per_epoch(torch.utils.data.DataLoader(data, batch_size=64, drop_last=True), None) == 0
