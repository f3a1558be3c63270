"""Issue 15's crafted files, each refused by `python -m trainzip decompress` in a fresh process: one
line on stderr, a non-zero exit, no output and no temporary file left, peak memory under 500 MB and
under 10 s (measured per process: its own rusage from wait4, a wall-clock limit, and an address
space cap on its data so that a regression fails here rather than swapping the machine)."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time

import pytest

from tests.hostile_files import CASES

PEAK_MB = 500
SECONDS = 10.0
DATA_LIMIT_BYTES = 8 << 30  # a safety net only (a lazily zeroed buffer counts in full); the bound is PEAK_MB


def _limit_data():
    resource.setrlimit(resource.RLIMIT_DATA, (DATA_LIMIT_BYTES, DATA_LIMIT_BYTES))


def run_measured(args: list[str], cwd) -> tuple[int, str, float, float]:
    """Run ``python -m trainzip ARGS``; returns its exit code, its stderr, its peak RSS in MB (its
    own, from wait4) and its wall time in seconds (killed at twice the bound)."""
    stderr_path = cwd / ".stderr"
    with open(stderr_path, "wb") as stderr:
        started = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "trainzip", *args], cwd=cwd, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL, stderr=stderr, preexec_fn=_limit_data,
                                 env=dict(os.environ, PYTHONWARNINGS="ignore"))
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > 2 * SECONDS:
                child.send_signal(signal.SIGKILL)
            time.sleep(0.01)
        seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    error = stderr_path.read_text(errors="replace")
    stderr_path.unlink()
    return child.returncode, error, usage.ru_maxrss / 1024, seconds


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_crafted_file_is_refused_in_one_line_in_bounded_memory_and_time(name, tmp_path):
    """Each crafted file of issue 15 (valid CRCs, versions 7 and 6): exit 1, exactly one line naming
    the file and the problem, nothing left in the directory, under 500 MB and 10 s."""
    case = CASES[name]
    (tmp_path / "crafted.tz").write_bytes(case.build())
    code, error, peak_mb, seconds = run_measured(["decompress", "crafted.tz"], tmp_path)
    lines = error.splitlines()
    assert code == 1 and len(lines) == 1, (code, error[-2000:])
    assert lines[0].startswith("trainzip: error: crafted.tz: ") and case.message in lines[0], lines[0]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["crafted.tz"]
    assert peak_mb < PEAK_MB and seconds < SECONDS, (peak_mb, seconds)
