"""Optional integrations: the Lightning callback's hooks and TensorBoard logging of the meter."""

import json
import math

import trainzip  # noqa: F401  (first: sets MKL's reproducibility mode before torch loads)
import pytest
import torch

from trainzip import PrequentialMeter
from trainzip.integrations import is_lightning_available, is_tensorboard_available

needs_lightning = pytest.mark.skipif(not is_lightning_available(), reason="lightning is not installed")
needs_tensorboard = pytest.mark.skipif(not is_tensorboard_available(), reason="tensorboard is not installed")


class FakeTrainer:
    """Just what the callback reads from a Lightning trainer."""

    def __init__(self):
        self.current_epoch = 0
        self.is_global_zero = True


class FakeModule:
    """Records what the callback logs."""

    def __init__(self):
        self.logged = {}

    def log(self, name, value):
        self.logged[name] = value


@needs_lightning
def test_callback_meters_the_first_epoch_only(tmp_path):
    """Batches of the first epoch are metered from training_step's logits; later epochs are not new data."""
    from trainzip.integrations.lightning import PrequentialCallback

    callback = PrequentialCallback(record_path=str(tmp_path / "run.json"))
    trainer, module = FakeTrainer(), FakeModule()
    batch = (torch.zeros(4, 3), torch.tensor([0, 1, 0, 1]))
    callback.on_train_batch_end(trainer, module, {"loss": torch.tensor(1.0), "logits": torch.zeros(4, 2)}, batch, 0)
    trainer.current_epoch = 1
    callback.on_train_batch_end(trainer, module, {"loss": torch.tensor(1.0), "logits": torch.zeros(4, 2)}, batch, 0)
    assert callback.meter.total_samples == 4
    assert callback.meter.total_bits == pytest.approx(4.0)
    assert module.logged["trainzip/bits_per_sample"] == pytest.approx(1.0)
    callback.on_train_end(trainer, module)
    assert json.loads((tmp_path / "run.json").read_text())["totals"]["bits"] == pytest.approx(4.0)


@needs_lightning
def test_callback_targets_from_outputs_or_dict_batches_and_missing_logits():
    """Targets come from the outputs when returned, else from a dict batch; outputs without logits are an error."""
    from trainzip.integrations.lightning import PrequentialCallback

    callback = PrequentialCallback(log_scalars=False)
    trainer, module = FakeTrainer(), FakeModule()
    outputs = {"loss": torch.tensor(0.0), "logits": torch.zeros(2, 4), "targets": torch.tensor([1, -100])}
    callback.on_train_batch_end(trainer, module, outputs, None, 0)
    callback.on_train_batch_end(trainer, module, {"logits": torch.zeros(1, 4)}, {"targets": torch.tensor([2])}, 1)
    assert (callback.meter.total_samples, callback.meter.total_bits) == (2, pytest.approx(4.0))
    assert module.logged == {}
    with pytest.raises(ValueError, match="logits"):
        callback.on_train_batch_end(trainer, module, torch.tensor(0.5), None, 2)


@needs_lightning
def test_callback_state_survives_a_checkpoint():
    """state_dict/load_state_dict carry the accumulated bits into a resumed run's callback."""
    from trainzip.integrations.lightning import PrequentialCallback

    first = PrequentialCallback(log_scalars=False)
    first.on_train_batch_end(FakeTrainer(), FakeModule(), {"logits": torch.zeros(3, 8)}, (None, torch.tensor([1, 2, 3])), 0)
    resumed = PrequentialCallback(log_scalars=False)
    resumed.load_state_dict(first.state_dict())
    assert resumed.meter.record() == first.meter.record()
    assert resumed.meter.total_bits == pytest.approx(9.0)


@needs_lightning
@pytest.mark.filterwarnings("ignore::UserWarning")  # Lightning's advice on dataloader workers and loggers
@pytest.mark.filterwarnings("ignore::FutureWarning")  # lightning 2.6 uses torch pytree APIs torch 2.13 deprecates
def test_lightning_trainer_run_on_digits(tmp_path):
    """A real Lightning fit over 2 epochs of digits meters each sample once, far below the uniform code."""
    import lightning.pytorch as pl
    import numpy as np
    import torch.nn.functional as F
    from sklearn.datasets import load_digits

    from trainzip.integrations.lightning import PrequentialCallback

    class Classifier(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = torch.nn.Linear(64, 10)

        def training_step(self, batch, batch_idx):
            x, y = batch
            logits = self.net(x)
            return {"loss": F.cross_entropy(logits, y), "logits": logits}

        def configure_optimizers(self):
            return torch.optim.Adam(self.parameters(), lr=0.05)

    data = load_digits()
    order = np.random.default_rng(0).permutation(len(data.target))
    dataset = torch.utils.data.TensorDataset(torch.from_numpy((data.data[order] / 16).astype(np.float32)),
                                             torch.from_numpy(data.target[order].astype(np.int64)))
    loader = torch.utils.data.DataLoader(dataset, batch_size=64)
    pl.seed_everything(0, verbose=False)
    callback = PrequentialCallback(record_path=str(tmp_path / "run.json"))
    trainer = pl.Trainer(max_epochs=2, callbacks=[callback], logger=False, enable_checkpointing=False,
                         enable_progress_bar=False, enable_model_summary=False, accelerator="cpu",
                         default_root_dir=str(tmp_path))
    trainer.fit(Classifier(), loader)
    record = json.loads((tmp_path / "run.json").read_text())
    assert record["totals"]["samples"] == len(dataset)
    assert len(record["steps"]) == math.ceil(len(dataset) / 64)
    assert record["totals"]["bits"] < 0.5 * len(dataset) * math.log2(10)


@needs_lightning
@pytest.mark.filterwarnings("ignore::UserWarning")  # Lightning's advice on dataloader workers
@pytest.mark.filterwarnings("ignore::FutureWarning")  # lightning 2.6 uses torch pytree APIs torch 2.13 deprecates
def test_lightning_logger_records_the_figures_at_each_logging_step(tmp_path):
    """The Trainer's own logger (CSVLogger, log_every_n_steps=2) gets trainzip's figures at global
    steps 1, 3, ..., 9: the cumulative bits per sample and kbits after that step's batch, the samples so far."""
    import csv

    import lightning.pytorch as pl
    import torch.nn.functional as F
    from lightning.pytorch.loggers import CSVLogger

    from trainzip.integrations.lightning import PrequentialCallback

    class Classifier(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = torch.nn.Linear(8, 4)

        def training_step(self, batch, batch_idx):
            logits = self.net(batch[0])
            return {"loss": F.cross_entropy(logits, batch[1]), "logits": logits}

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)

    generator = torch.Generator().manual_seed(0)
    dataset = torch.utils.data.TensorDataset(torch.randn(160, 8, generator=generator),
                                             torch.randint(0, 4, (160,), generator=generator))
    pl.seed_everything(0, verbose=False)
    callback = PrequentialCallback()
    trainer = pl.Trainer(max_epochs=1, callbacks=[callback], logger=CSVLogger(str(tmp_path)), log_every_n_steps=2,
                         enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False,
                         accelerator="cpu", default_root_dir=str(tmp_path))
    trainer.fit(Classifier(), torch.utils.data.DataLoader(dataset, batch_size=16))
    with open(f"{trainer.logger.log_dir}/metrics.csv") as rows:
        logged = {int(row["step"]): row for row in csv.DictReader(rows) if row.get("trainzip/bits_per_sample")}
    assert sorted(logged) == [1, 3, 5, 7, 9]
    cumulative = callback.meter.step_arrays()["cumulative_bits"]
    for step, row in logged.items():
        assert float(row["trainzip/samples_metered"]) == 16 * (step + 1)
        assert float(row["trainzip/bits_per_sample"]) == pytest.approx(cumulative[step] / (16 * (step + 1)), rel=1e-6)
        assert float(row["trainzip/cumulative_kbits"]) == pytest.approx(cumulative[step] / 1000, rel=1e-6)


def test_callback_without_lightning_says_what_to_install(monkeypatch):
    """Without lightning the module still imports, and building the callback names the extra to install."""
    import trainzip.integrations.lightning as module

    monkeypatch.setattr(module, "_Base", object)
    with pytest.raises(ImportError, match=r"trainzip\[lightning\]"):
        module.PrequentialCallback()


@needs_tensorboard
def test_meter_writes_tensorboard_events(tmp_path):
    """summary_writer gives a SummaryWriter the meter logs to; an event file appears."""
    from trainzip.integrations.tensorboard import summary_writer

    writer = summary_writer(str(tmp_path))
    meter = PrequentialMeter(writer=writer)
    meter.update(torch.zeros(4, 2), torch.tensor([0, 1, 1, 0]))
    writer.close()
    assert list(tmp_path.glob("events.out.tfevents.*"))


def test_summary_writer_without_tensorboard_says_what_to_install(monkeypatch):
    """Without tensorboard, summary_writer raises ImportError naming the extra."""
    import trainzip.integrations.tensorboard as module

    monkeypatch.setattr(module, "is_tensorboard_available", lambda: False)
    with pytest.raises(ImportError, match=r"trainzip\[tensorboard\]"):
        module.summary_writer(".")
