"""What metering costs a training loop: time per step with and without `PrequentialMeter.update`.

    python bench/meter_overhead.py                  # on the GPU if there is one, else the CPU
    python bench/meter_overhead.py --device cpu --steps 200

`update` returns each batch's bits as a Python float, so on a GPU it waits for the batch's forward
pass once per step (a loop that logs `loss.item()` waits there anyway); a deferred meter
(`PrequentialMeter(defer=True)`) keeps the counts on the GPU and reads them in one go. This
measures both: an MLP on random data, the same steps timed without the meter, with it, and with
it deferred, best of three rounds each.
"""

from __future__ import annotations

import argparse
import time

import trainzip  # noqa: F401  (first: numerics settings before torch loads)
import torch
import torch.nn.functional as F

from trainzip import PrequentialMeter


def _steps(model, optimizer, batches, meter, device) -> float:
    """Seconds for one pass over ``batches`` (the device's queue drained at both ends)."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    start = time.perf_counter()
    for x, y in batches:
        logits = model(x)
        if meter is not None:
            meter.update(logits, y)
        loss = F.cross_entropy(logits, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--width", type=int, default=1024)
    args = parser.parse_args()
    device = torch.device(args.device)
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(784, args.width), torch.nn.ReLU(),
                                torch.nn.Linear(args.width, args.width), torch.nn.ReLU(),
                                torch.nn.Linear(args.width, 10)).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    batches = [(torch.randn(args.batch, 784, device=device), torch.randint(0, 10, (args.batch,), device=device))
               for _ in range(args.steps)]
    _steps(model, optimizer, batches[:20], None, device)  # warm-up: kernels chosen, memory allocated
    plain = min(_steps(model, optimizer, batches, None, device) for _ in range(3))
    metered = min(_steps(model, optimizer, batches, PrequentialMeter(num_classes=10), device) for _ in range(3))
    deferred = []
    for _ in range(3):
        meter = PrequentialMeter(num_classes=10, defer=True)
        start = time.perf_counter()
        _steps(model, optimizer, batches, meter, device)
        meter.total_bits  # the deferred counts are read here, and timed
        deferred.append(time.perf_counter() - start)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"CPU, {torch.get_num_threads()} threads"
    print(f"{name}: {args.steps} steps of a {784}-{args.width}-{args.width}-10 MLP, batch {args.batch}")
    print(f"  without the meter  {1e3 * plain / args.steps:8.3f} ms/step")
    for label, seconds in (("with the meter", metered), ("deferred", min(deferred))):
        print(f"  {label:18s} {1e3 * seconds / args.steps:8.3f} ms/step  ({100 * (seconds / plain - 1):+.1f}%)")


if __name__ == "__main__":
    main()
