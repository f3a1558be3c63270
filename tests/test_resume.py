"""Exact resume: a run interrupted and resumed from a checkpoint ends with the uninterrupted
run's totals (to 1e-9), or the resume is refused; a plain loop and Lightning from a mid-epoch
step checkpoint. (The Hugging Face Trainer's resume is in test_transformers.py.)"""

import json

import trainzip  # noqa: F401  (first: sets MKL's reproducibility mode before torch loads)
import pytest
import torch
import torch.nn.functional as F

from trainzip import PrequentialMeter
from trainzip.errors import ResumeError
from trainzip.integrations import is_lightning_available

pytestmark = pytest.mark.usefixtures("one_torch_thread")

BATCH = 16


def data():
    """320 float64 points labelled by a random linear teacher."""
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(320, 6, generator=generator, dtype=torch.float64)
    return x, (x @ torch.randn(6, 3, generator=generator, dtype=torch.float64)).argmax(dim=1)


def plain_loop(x, y, checkpoint=None, *, stop_after=None, restart_data=False):
    """One pass of a plain loop, metered with sample indices; optionally resumed from / stopped into a checkpoint."""
    torch.manual_seed(0)
    model = torch.nn.Linear(6, 3).double()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    meter = PrequentialMeter()
    if checkpoint is not None:  # resume: model, optimizer and meter from the checkpoint
        model.load_state_dict(checkpoint["model"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        meter.load_state_dict(checkpoint["meter"])
    first = 0 if restart_data else meter.batches  # the meter says where the data must continue
    for batch in range(first, len(x) // BATCH):
        rows = torch.arange(batch * BATCH, (batch + 1) * BATCH)
        logits = model(x[rows])
        meter.update(logits, y[rows], indices=rows)
        loss = F.cross_entropy(logits, y[rows])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if stop_after is not None and batch + 1 == stop_after:
            return {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "meter": meter.state_dict()}
    return meter


def test_plain_loop_resumed_from_its_checkpoint_ends_with_the_uninterrupted_totals(tmp_path):
    """A checkpoint (torch.save of model, optimizer and meter state) taken after 7 of 20 batches and
    resumed where the meter says the data stands ends with the uninterrupted run's totals and steps."""
    x, y = data()
    whole = plain_loop(x, y)
    torch.save(plain_loop(x, y, stop_after=7), tmp_path / "step7.pt")
    resumed = plain_loop(x, y, torch.load(tmp_path / "step7.pt", weights_only=False))
    assert resumed.total_bits == pytest.approx(whole.total_bits, rel=1e-9)
    assert resumed.total_samples == whole.total_samples == 320
    assert [s["bits"] for s in resumed.steps] == pytest.approx([s["bits"] for s in whole.steps], rel=1e-9)
    assert len(resumed.metered_indices()) == 320 and not len(resumed.unmetered_indices(320))


def test_plain_loop_that_restarts_its_data_is_refused():
    """Resuming but feeding the data from sample 0 again is refused at the first repeated sample."""
    x, y = data()
    checkpoint = plain_loop(x, y, stop_after=7)
    with pytest.raises(ResumeError, match=r"16 sample\(s\) \(indices 0, 1, 2, 3, 4, \.\.\.\) were already metered"):
        plain_loop(x, y, checkpoint, restart_data=True)


def test_skipped_samples_are_reported():
    """unmetered_indices names the samples a run never metered."""
    meter = PrequentialMeter()
    meter.update(torch.zeros(3, 2), torch.tensor([0, 1, 0]), indices=[0, 1, 4])
    assert meter.unmetered_indices(6).tolist() == [2, 3, 5]
    state = json.loads(json.dumps(meter.state_dict()))
    again = PrequentialMeter()
    again.load_state_dict(state)
    assert again.metered_indices().tolist() == [0, 1, 4]


def lightning_fit(tmp_path, loader_class, *, stop_at=None, ckpt_path=None):
    """A Lightning fit of one epoch, metered; stops after `stop_at` steps with a step checkpoint."""
    import lightning.pytorch as pl

    from trainzip.integrations.lightning import PrequentialCallback

    x, y = data()

    class Linear(pl.LightningModule):
        def __init__(self):
            super().__init__()
            torch.manual_seed(0)
            self.net = torch.nn.Linear(6, 3).double()

        def training_step(self, batch, batch_idx):
            inputs, targets = batch
            logits = self.net(inputs)
            return {"loss": F.cross_entropy(logits, targets), "logits": logits}

        def configure_optimizers(self):
            return torch.optim.Adam(self.parameters(), lr=0.05)

    class StopAt(pl.Callback):
        def on_train_batch_end(self, trainer, *args):
            if stop_at is not None and trainer.global_step == stop_at:
                trainer.should_stop = True

    callback = PrequentialCallback(log_scalars=False)
    checkpoints = pl.callbacks.ModelCheckpoint(dirpath=tmp_path, every_n_train_steps=stop_at or 10_000,
                                               save_top_k=-1, filename="step{step}")
    generator = torch.Generator().manual_seed(1)
    loader = loader_class(torch.utils.data.TensorDataset(x, y), batch_size=BATCH, shuffle=True, generator=generator)
    trainer = pl.Trainer(max_epochs=1, callbacks=[callback, StopAt(), checkpoints], logger=False,
                         enable_progress_bar=False, enable_model_summary=False, accelerator="cpu",
                         default_root_dir=str(tmp_path))
    trainer.fit(Linear(), loader, ckpt_path=ckpt_path)
    return callback.meter


@pytest.mark.skipif(not is_lightning_available(), reason="lightning is not installed")
@pytest.mark.filterwarnings("ignore::UserWarning")  # Lightning's advice on workers, loggers and resuming
@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_lightning_mid_epoch_resume_is_exact_with_a_resumable_loader_and_refused_without(tmp_path):
    """From a step checkpoint after 7 of 20 batches, a shuffled StatefulDataLoader resumes where it
    stopped and the meter ends with the uninterrupted totals (1e-9); a plain DataLoader, which
    Lightning would restart from its first batch, is refused before any batch is metered again."""
    from torchdata.stateful_dataloader import StatefulDataLoader

    whole = lightning_fit(tmp_path / "whole", StatefulDataLoader)
    lightning_fit(tmp_path / "cut", StatefulDataLoader, stop_at=7)
    checkpoint = next((tmp_path / "cut").glob("*.ckpt"))
    resumed = lightning_fit(tmp_path / "resumed", StatefulDataLoader, ckpt_path=str(checkpoint))
    assert resumed.total_samples == whole.total_samples == 320
    assert resumed.total_bits == pytest.approx(whole.total_bits, rel=1e-9)
    assert [s["bits"] for s in resumed.steps] == pytest.approx([s["bits"] for s in whole.steps], rel=1e-9)

    lightning_fit(tmp_path / "plain", torch.utils.data.DataLoader, stop_at=7)
    with pytest.raises(ResumeError, match="not resumable"):
        lightning_fit(tmp_path / "plain-resumed", torch.utils.data.DataLoader,
                      ckpt_path=str(next((tmp_path / "plain").glob("*.ckpt"))))
