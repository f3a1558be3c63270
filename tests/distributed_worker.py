"""One rank of the 2-process (gloo, CPU) runs of tests/test_distributed.py; run as a script.

    python tests/distributed_worker.py MODE OUT_DIR      (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT set)

MODE "meter": a plain DDP loop (float64, so two ranks train exactly like one process with their
two batches together) metered three ways: uninterrupted, checkpointed midway and resumed into a
new meter, and with a sample metered on both ranks. MODE "lightning": the Lightning callback
under strategy="ddp" (in the process group already started). MODE "trainer": the Hugging Face
Trainer callback. MODE "all": all three, in the same two processes. Each rank writes what it saw to OUT_DIR/{mode}.rank{RANK}.json.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import trainzip  # noqa: F401  (first: sets MKL's reproducibility mode before torch loads)
import torch
import torch.distributed as dist
import torch.nn.functional as F

PER_RANK_BATCH = 8
SAMPLES = 256
FEATURES, CLASSES = 8, 4


def data():
    """SAMPLES float64 points labelled by a random linear teacher (the same on every rank)."""
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(SAMPLES, FEATURES, generator=generator, dtype=torch.float64)
    teacher = torch.randn(FEATURES, CLASSES, generator=generator, dtype=torch.float64)
    return x, (x @ teacher).argmax(dim=1)


def global_batches(world: int):
    """(start, end) of each global step's rows: PER_RANK_BATCH rows per rank, in data order (a
    one-process reference sets DATA_RANKS=2 to take both ranks' rows at once)."""
    size = PER_RANK_BATCH * int(os.environ.get("DATA_RANKS", world))
    return [(start, start + size) for start in range(0, SAMPLES, size)]


def meter_run(rank: int, world: int, out: Path) -> dict:
    """DDP training of a linear model, metered uninterrupted, resumed midway, and with a repeat."""
    from trainzip import PrequentialMeter
    from trainzip.errors import ResumeError

    x, y = data()
    torch.manual_seed(0)
    model = torch.nn.Linear(FEATURES, CLASSES).double()
    ddp = torch.nn.parallel.DistributedDataParallel(model) if world > 1 else model
    optimizer = torch.optim.SGD(ddp.parameters(), lr=0.5)
    whole, first_half = PrequentialMeter(), PrequentialMeter()
    resumed = None
    steps = global_batches(world)
    for step, (start, end) in enumerate(steps):
        rows = torch.arange(start, end)[rank * PER_RANK_BATCH:(rank + 1) * PER_RANK_BATCH] if world > 1 else \
            torch.arange(start, end)
        logits = ddp(x[rows])
        whole.update(logits, y[rows], indices=rows)
        (first_half if resumed is None else resumed).update(logits, y[rows], indices=rows)
        if step == len(steps) // 2:  # a checkpoint: the state goes through JSON, then a new meter resumes
            state = json.loads(json.dumps(first_half.state_dict()))
            resumed = PrequentialMeter()
            resumed.load_state_dict(state)
        loss = F.cross_entropy(logits, y[rows])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    written = whole.write_json(out / "run.json")
    result = {"rank": rank, "local": whole.local_totals(), "totals": whole.totals(), "resumed": resumed.totals(),
              "resumed_steps": resumed.step_arrays()["bits"].tolist(), "steps": whole.step_arrays()["bits"].tolist(),
              "wrote": written is not None, "world_size": whole.world_size, "state": state}
    repeated = PrequentialMeter()
    repeated.update(torch.zeros(2, CLASSES), torch.tensor([0, 1]), indices=torch.tensor([0, 1 + rank]))
    try:
        repeated.totals()  # index 0 was metered on both ranks
        result["repeat_refused"] = None
    except ResumeError as error:
        result["repeat_refused"] = str(error)
    return result


def lightning_run(rank: int, world: int, out: Path) -> dict:
    """The Lightning callback under strategy="ddp" on the same data, each rank its shard."""
    import warnings

    import lightning.pytorch as pl

    from trainzip.integrations.lightning import PrequentialCallback

    warnings.filterwarnings("ignore")
    x, y = data()

    class Linear(pl.LightningModule):
        def __init__(self):
            super().__init__()
            torch.manual_seed(0)
            self.net = torch.nn.Linear(FEATURES, CLASSES).double()

        def training_step(self, batch, batch_idx):
            inputs, targets = batch
            logits = self.net(inputs)
            return {"loss": F.cross_entropy(logits, targets), "logits": logits}

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.5)

    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=PER_RANK_BATCH)
    callback = PrequentialCallback(record_path=str(out / "lightning.json"))
    strategy = "ddp" if world > 1 else "auto"
    trainer = pl.Trainer(max_epochs=1, accelerator="cpu", devices=world, strategy=strategy, callbacks=[callback],
                         logger=False, enable_checkpointing=False, enable_progress_bar=False,
                         enable_model_summary=False, log_every_n_steps=4)
    trainer.fit(Linear(), loader)
    return {"rank": rank, "local": callback.meter.local_totals(), "totals": callback.meter.totals(),
            "world_size": callback.meter.world_size}


def trainer_run(rank: int, world: int, out: Path) -> dict:
    """The Hugging Face Trainer callback on 2 ranks: a tiny GPT-2 on random byte sequences."""
    import warnings

    warnings.filterwarnings("ignore")
    sys.path.insert(0, str(Path(__file__).parents[1] / "examples"))
    import trainer_causal_lm as example
    from transformers import Trainer, default_data_collator

    from trainzip.integrations.transformers import PrequentialTrainerCallback

    text = bytes(torch.randint(0, 256, (64 * 16,), generator=torch.Generator().manual_seed(0)).tolist())
    callback = PrequentialTrainerCallback(record_path=str(out / "trainer.json"))
    torch.manual_seed(0)
    trainer = Trainer(model=example.tiny_gpt2(16, layers=1, width=16, heads=2),
                      args=example.training_arguments(str(out / "trainer"), save_strategy="no", logging_steps=2,
                                                      per_device_train_batch_size=4),
                      train_dataset=example.ByteChunks(text, 16), data_collator=default_data_collator,
                      callbacks=[callback])
    trainer.train()
    history = [entry for entry in trainer.state.log_history if "trainzip/cumulative_kbits" in entry]
    return {"rank": rank, "local": callback.meter.local_totals(), "totals": callback.meter.totals(),
            "world_size": callback.meter.world_size, "logged_kbits": [entry["trainzip/cumulative_kbits"] for entry in history]}


def main() -> None:
    mode, out = sys.argv[1], Path(sys.argv[2])
    rank, world = int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1))
    if world > 1:
        dist.init_process_group("gloo", rank=rank, world_size=world)
    from trainzip.integrations import is_lightning_available, is_transformers_available

    available = {"meter": True, "lightning": is_lightning_available(), "trainer": is_transformers_available()}
    for name, run in (("meter", meter_run), ("lightning", lightning_run), ("trainer", trainer_run)):
        if mode == name or (mode == "all" and available[name]):
            (out / f"{name}.rank{rank}.json").write_text(json.dumps(run(rank, world, out)))
    if dist.is_initialized():
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
    # Every result is written and the group destroyed: end here. The interpreter's teardown of
    # PyTorch's, gloo's and the Trainer's native threads once aborted a rank after its work was done
    # ("terminate called without an active exception", SIGABRT, in a CI run under load), and the
    # test would then fail for something no user's run ever reaches.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
