"""The prequential meter in a Lightning run, through `PrequentialCallback` (needs the lightning extra).

``training_step`` returns its logits beside the loss; the callback meters them after the step,
but they were computed before it, so each batch is scored by a model that had not yet learned
from it. Only the first epoch is metered: a second pass is not new data.

    pip install 'trainzip[lightning]'
    python examples/lightning_loop.py [--epochs 3] [--record lightning_run.json]
"""

from __future__ import annotations

import argparse

import trainzip  # noqa: F401  (first: sets MKL's reproducibility mode before torch loads)
import lightning.pytorch as pl
import torch
import torch.nn.functional as F

from example_data import MNIST_DIR, load_digits_shuffled, load_mnist_test
from trainzip.integrations.lightning import PrequentialCallback


class Classifier(pl.LightningModule):
    """A one-hidden-layer MLP whose training_step also returns the logits it computed."""

    def __init__(self, inputs: int, hidden: int = 128, lr: float = 1e-3):
        super().__init__()
        self.net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(inputs, hidden), torch.nn.ReLU(),
                                       torch.nn.Linear(hidden, 10))
        self.lr = lr

    def training_step(self, batch, batch_idx):
        x, y = batch
        logits = self.net(x)  # (B, 10), computed before this batch's optimizer step
        return {"loss": F.cross_entropy(logits, y), "logits": logits}

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.lr)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--record", default="lightning_run.json")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    pl.seed_everything(args.seed, verbose=False)
    x, y = load_mnist_test() if MNIST_DIR.is_dir() else load_digits_shuffled(args.seed)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=32, shuffle=False)
    callback = PrequentialCallback(record_path=args.record)
    trainer = pl.Trainer(max_epochs=args.epochs, callbacks=[callback], accelerator="cpu", logger=False,
                         enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(Classifier(x[0].numel()), loader)

    totals = callback.meter.totals()
    print(f"metered the first of {args.epochs} epochs: {totals['samples']} labels")
    print(f"  prequential code  {totals['bits'] / 1000:.3f} kbits ({totals['bits_per_sample']:.3f} bits/label)")
    print(f"  uniform code      {totals['uniform_bits'] / 1000:.3f} kbits")
    print(f"  compression ratio {totals['compression_ratio']:.2f}")
    print(f"  record written to {args.record}")


if __name__ == "__main__":
    main()
