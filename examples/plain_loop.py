"""A plain PyTorch loop with a prequential meter, on real data (MNIST's 10,000 test images).

One pass over the data in minibatches: each batch is scored by the meter *before* the optimizer
learns from it, so the running total is the length, in bits, of a real message that codes every
label with the model as it stood. At the end the final model rescores the same data, giving the
regret and the bits absorbed, and the run record goes to a JSON file.

    python examples/plain_loop.py [--record run.json] [--tensorboard runs/plain]

Falls back to scikit-learn's digits when ../shared/datasets/mnist is absent.
"""

from __future__ import annotations

import argparse

import trainzip  # first: sets MKL's reproducibility mode before torch loads
import torch
import torch.nn.functional as F

from example_data import MNIST_DIR, load_digits_shuffled, load_mnist_test


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", default="plain_loop_run.json", help="where to write the JSON run record")
    parser.add_argument("--tensorboard", default=None, help="log scalars to this TensorBoard directory")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    if MNIST_DIR.is_dir():
        name, (x, y) = "MNIST test set", load_mnist_test()
        x = x.flatten(1)  # (n, 784)
    else:
        name, (x, y) = "scikit-learn digits", load_digits_shuffled(args.seed)
    model = torch.nn.Sequential(torch.nn.Linear(x.shape[1], 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    writer = None
    if args.tensorboard:
        from trainzip.integrations.tensorboard import summary_writer

        writer = summary_writer(args.tensorboard)
    meter = trainzip.PrequentialMeter(num_classes=10, writer=writer)

    for start in range(0, len(x), args.batch):  # one pass: every batch is new data
        xb, yb = x[start:start + args.batch], y[start:start + args.batch]
        logits = model(xb)  # (B, 10)
        meter.update(logits, yb)  # scored before the step below learns from it
        loss = F.cross_entropy(logits, yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    with torch.no_grad():  # the final model on the same data
        for start in range(0, len(x), 1000):
            meter.update_final(model(x[start:start + 1000]), y[start:start + 1000])
    if writer is not None:
        writer.close()

    totals = meter.totals()
    print(f"{name}: {totals['samples']} labels, one pass, batch {args.batch}")
    print(f"  prequential code   {totals['bits'] / 1000:9.3f} kbits  ({totals['bits_per_sample']:.3f} bits/label)")
    print(f"  uniform code       {totals['uniform_bits'] / 1000:9.3f} kbits  (n log2 10)")
    print(f"  compression ratio  {totals['compression_ratio']:9.2f}")
    print(f"  final model code   {totals['final_model_bits'] / 1000:9.3f} kbits")
    print(f"  regret             {totals['regret_bits'] / 1000:9.3f} kbits")
    print(f"  bits absorbed      {totals['absorbed_bits'] / 1000:9.3f} kbits")
    print(f"  online accuracy    {totals['accuracy']:9.4f}")
    print(f"  record written to  {meter.write_json(args.record, example='plain_loop', dataset=name)}")


if __name__ == "__main__":
    main()
