"""Issue 15's crafted files, each refused by `python -m trainzip decompress` in a fresh process: one
line on stderr, a non-zero exit, no output and no temporary file left, peak memory under 500 MB and
under 10 CPU seconds of its process tree (measured per process: its rusage from wait4, taken by a
small launcher so that the test process's pages are not counted; a cap on its data so that a
regression fails here rather than swapping the machine, and a wall-clock limit only against a hang).
CPU time, not wall time: a loaded machine stretched these cases past 10 s of wall time. The slowest
case takes a few CPU seconds (`python -m tests.hostile_files` prints each), so 10 s leaves a margin
of at least 2x."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.hostile_files import CASES, CPU_SECONDS, run_measured


@pytest.fixture(scope="module", autouse=True)
def compiled_kernels():
    """The bounds are a refused file's, not a first run's: the codec's kernels are compiled (or
    their cache loaded) once beforehand, so that no case pays Numba's compilation."""
    subprocess.run([sys.executable, "-c", "from trainzip.codec.kernel_loading import load_kernels; load_kernels()"],
                   check=True, timeout=600)

# Each case with one worker and with two (a pool): the same refusal, the same bounds. A case that
# names its worker count (several costly blocks, decoded at once on a pool) runs with that alone.
RUNS = [(name, workers) for name in sorted(CASES)
        for workers in ((None,) if "--workers" in CASES[name].options else ("1", "2"))]


@pytest.mark.parametrize("name, workers", RUNS, ids=[f"{name}-T{workers or ''}" for name, workers in RUNS])
def test_a_crafted_file_is_refused_in_one_line_in_bounded_memory_and_time(name, workers, tmp_path):
    """Each crafted file of issues 15 and 25 (valid CRCs, versions 7 and 6), with -T 1 and -T 2: exit
    1, exactly one line naming the file and the problem, nothing left in the directory, under 500 MB
    and 10 CPU seconds."""
    case = CASES[name]
    (tmp_path / "crafted.tz").write_bytes(case.build())
    worker_options = () if workers is None else ("-T", workers)
    code, error, peak_mb, cpu_seconds = run_measured(["decompress", "crafted.tz", *case.options, *worker_options],
                                                     tmp_path)
    lines = error.splitlines()
    assert code == 1 and len(lines) == 1, (code, error[-2000:])
    assert lines[0].startswith("trainzip: error: crafted.tz: ") and case.message in lines[0], lines[0]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["crafted.tz"]
    assert peak_mb < case.peak_mb and cpu_seconds < CPU_SECONDS, (peak_mb, cpu_seconds)


@pytest.fixture(scope="module")
def honest_file() -> bytes:
    from trainzip.codec import compress

    return compress(b"Bits you can check, for a file you get back.\n" * 50, level="fast")


@pytest.mark.parametrize(("name", "args", "message"), [
    ("trailing-garbage", ["decompress", "honest.tz", "-o", "out"], "100 bytes of trailing garbage"),
    ("missing-output-directory", ["decompress", "honest.tz", "-o", "no/such/out"], "no/such/out: cannot create it"),
    ("output-device-full", ["decompress", "honest.tz", "-f", "-o", "/dev/full"], "/dev/full: cannot write it"),
])
def test_the_command_lines_failures_are_one_line_naming_the_file(name, args, message, honest_file, tmp_path):
    """Issue 15's command-line cases in a fresh process: trailing garbage is named as such, a
    missing output directory and a full device name the output (never a temporary file); one
    line, exit 1, nothing left, in bounded memory and time."""
    (tmp_path / "honest.tz").write_bytes(honest_file + (b"\0" * 100 if name == "trailing-garbage" else b""))
    code, error, peak_mb, cpu_seconds = run_measured(args, tmp_path)
    lines = error.splitlines()
    assert code == 1 and len(lines) == 1 and message in lines[0] and ".part" not in lines[0], error
    assert sorted(path.name for path in tmp_path.iterdir()) == ["honest.tz"]
    assert peak_mb < 500 and cpu_seconds < CPU_SECONDS
