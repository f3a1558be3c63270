"""The prequential meter in a distributed (DDP) loop: each rank meters its shard, the record is the sum.

    torchrun --nproc_per_node 2 examples/ddp_loop.py [--record ddp_run.json]

Runs on CPUs over gloo (NCCL on GPUs works the same). Each rank scores its own rows of every
batch before the optimizer step; `meter.totals()` and `meter.write_json()` sum the ranks' counts
in one all-reduce (so every rank calls them), the record says how many ranks took part, and only
rank 0 writes it. Dataset indices passed to `update` let the meter refuse a sample metered twice,
on one rank or across ranks (a sampler that pads its last batch by repeating samples).
"""

from __future__ import annotations

import argparse

import trainzip  # first: sets MKL's reproducibility mode before torch loads
import torch
import torch.distributed as dist
import torch.nn.functional as F

from example_data import load_digits_shuffled


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", default="ddp_run.json")
    parser.add_argument("--batch", type=int, default=16, help="rows per rank and step")
    args = parser.parse_args(argv)

    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    x, y = load_digits_shuffled(0)
    dataset = torch.utils.data.TensorDataset(x, y, torch.arange(len(y)))
    sampler = torch.utils.data.DistributedSampler(dataset, shuffle=False, drop_last=True)  # no padded repeats
    loader = torch.utils.data.DataLoader(dataset, batch_size=args.batch, sampler=sampler)
    torch.manual_seed(0)
    model = torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(64, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    meter = trainzip.PrequentialMeter(num_classes=10)

    for xb, yb, index in loader:  # one pass: every batch is new data
        logits = model(xb)
        meter.update(logits, yb, indices=index)  # this rank's rows, before the step learns from them
        loss = F.cross_entropy(logits, yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    totals = meter.totals()  # collective: every rank reads the run's figures
    mine = meter.local_totals()
    print(f"rank {rank}: metered {mine['samples']} labels, {mine['bits']:.1f} bits of its own")
    written = meter.write_json(args.record, example="ddp_loop")
    if rank == 0:
        print(f"{world} ranks together: {totals['samples']} labels, {totals['bits']:.1f} bits "
              f"({totals['bits_per_sample']:.3f} bits per label), record written to {written}")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
