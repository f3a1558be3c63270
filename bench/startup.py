"""Start-up: what a user waits for, in fresh processes, beside the coding time inside a warm one.

    python bench/startup.py [--runs 9] [--file xargs.1] [--out bench/results]

Runs each command --runs times in fresh processes, interleaved (one of each in turn, so a busy
spell of a shared machine falls on all of them alike), and reports the median and the fastest
wall-clock seconds and the median CPU seconds (the steadier figure on a busy machine):
`trainzip --help`, `--version`, `trainzip compress --level fast` of the file and
`trainzip decompress` of the result, the gzip-style `trainzip --fast -c` and `-d -c`, and
gzip -9 and `python -c pass` for scale. Then the coding seconds of the same file inside a
process whose start-up is done (bench/worker.py), so that wall minus coding is what start-up
costs, and where a fresh process's start-up goes, phase by phase (bench/startup_phases.py).
Writes startup.json and startup.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "canterbury"


def trainzip_command() -> list[str]:
    """The `trainzip` script installed beside this interpreter, else `python -m trainzip`."""
    script = Path(sys.executable).with_name("trainzip")
    return [str(script)] if script.exists() else [sys.executable, "-m", "trainzip"]


def cases(source: Path, scratch: Path) -> dict[str, list[str]]:
    """Each measured command line, by the name the table shows."""
    trainzip = trainzip_command()
    packed = scratch / "packed.tz"
    subprocess.run([*trainzip, "compress", "-q", "-f", "--level", "fast", "-o", str(packed), str(source)], check=True)
    return {
        "python -c pass": [sys.executable, "-c", "pass"],  # the interpreter's own start, for the floor
        "trainzip --help": [*trainzip, "--help"],
        "trainzip --version": [*trainzip, "--version"],
        f"trainzip compress --level fast {source.name}": [*trainzip, "compress", "-q", "-f", "--level", "fast",
                                                          "-o", str(scratch / "out.tz"), str(source)],
        f"trainzip decompress {source.name}.tz": [*trainzip, "decompress", "-q", "-f", "-o", str(scratch / "out"),
                                                  str(packed)],
        f"trainzip --fast -c {source.name}": [*trainzip, "--fast", "-c", str(source)],
        f"trainzip -d -c {source.name}.tz": [*trainzip, "-d", "-c", str(packed)],
        f"gzip -9 -c {source.name}": ["gzip", "-9", "-c", str(source)],
    }


def timed_run(argv: list[str]) -> tuple[float, float]:
    """Wall clock and CPU seconds (user + system) of one fresh process, output discarded; it must succeed.

    On a shared machine the CPU seconds are the steadier figure: a busy neighbour stretches the wall
    clock of a one-threaded start-up, hardly its CPU time, which is what it takes on an idle machine.
    """
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(argv)} failed")
    return wall, usage.ru_utime + usage.ru_stime


def coding_seconds(source: Path, scratch: Path, runs: int) -> dict[str, float]:
    """Median seconds of `fast` compress and decompress inside a process, start-up excluded."""
    worker = [sys.executable, str(ROOT / "bench" / "worker.py"), "trainzip fast"]
    figures = {}
    for direction, (input_path, output_path) in {"compress": (source, scratch / "w.tz"),
                                                 "decompress": (scratch / "w.tz", scratch / "w.out")}.items():
        seconds = [json.loads(subprocess.run([*worker, direction, str(input_path), str(output_path)], check=True,
                                             capture_output=True).stdout)["seconds"] for _ in range(runs)]
        figures[direction] = statistics.median(seconds)
    return figures


def phases_ms(source: Path, runs: int) -> dict:
    """Median wall and CPU milliseconds of each start-up phase of a fresh process (bench/startup_phases.py)."""
    samples = [json.loads(subprocess.run([sys.executable, str(ROOT / "bench" / "startup_phases.py"), str(source)],
                                         check=True, capture_output=True, cwd=ROOT).stdout) for _ in range(runs)]

    def medians(pick) -> dict:
        return {clock: statistics.median(pick(sample)[clock] for sample in samples) for clock in ("wall_ms", "cpu_ms")}

    phases = {name: medians(lambda sample, name=name: sample[name]) for name in samples[0] if name != "kernel loads"}
    phases["kernel loads"] = {name: medians(lambda sample, name=name: sample["kernel loads"][name])
                              for name in samples[0]["kernel loads"]}
    return phases


def environment() -> dict:
    """What decides start-up besides trainzip: versions, and whether Numba's BLAS probe could load scipy."""
    from importlib import metadata

    return {"cpus": os.cpu_count(), "machine": platform.machine(), "python": platform.python_version(),
            "numba": metadata.version("numba"), "numpy": metadata.version("numpy"),
            "scipy_installed": importlib.util.find_spec("scipy") is not None,
            "load_average": [round(value, 2) for value in os.getloadavg()],
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def measure(source: Path, runs: int) -> dict:
    """Every case's wall clock (median and fastest) and the in-process coding time."""
    with tempfile.TemporaryDirectory() as scratch:
        commands = {name: argv for name, argv in cases(source, Path(scratch)).items()
                    if shutil.which(argv[0]) or Path(argv[0]).exists()}
        for argv in commands.values():
            timed_run(argv)  # once unmeasured: Numba's cache and the OS's file cache are warm
        samples = {name: [] for name in commands}
        for _ in range(runs):
            for name, argv in commands.items():
                samples[name].append(timed_run(argv))
        coding = coding_seconds(source, Path(scratch), runs)
    phases = phases_ms(source, runs)
    rows = [{"command": name, "median_s": statistics.median(wall for wall, _ in runs_of),
             "fastest_s": min(wall for wall, _ in runs_of),
             "median_cpu_s": statistics.median(cpu for _, cpu in runs_of), "runs": runs}
            for name, runs_of in samples.items()]
    return {"file": source.name, "file_bytes": source.stat().st_size, "rows": rows, "coding_s": coding,
            "phases_ms": phases, "environment": environment(), "argv": commands}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--file", default="xargs.1", help="A Canterbury corpus file (../shared/corpus/canterbury).")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    source = CORPUS / args.file
    if not source.exists():
        sys.exit(f"corpus file not found: {source}")
    record = measure(source, args.runs)
    from bench.report import startup_table

    table = startup_table(record)
    print(table)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "startup.json").write_text(json.dumps(record, indent=1))
    (args.out / "startup.md").write_text(table + "\n")
    print(f"wrote {args.out}/startup.md and startup.json")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
