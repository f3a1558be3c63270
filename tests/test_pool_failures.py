"""A bad block stops the pool: `-T 2` refuses a file at no more cost than `-T 1` does, with the same
one line, and leaves no worker behind (issue 25).

Costs are CPU seconds of the whole process tree (the command and its workers, reaped by a small
launcher that adopts whatever the command leaves), never wall-clock time: on a shared machine the
clock measures the neighbours.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.text_samples import words
from trainzip.codec import compress
from trainzip.codec.presets import preset
from trainzip.container import Block, Container, pack, unpack

BLOCK_BYTES = 512 << 10  # a costly block: about 2.5 s of CPU to decode at `fast` here
# What -T 2 may cost beyond -T 1: two workers' start (imports and the kernels' cache, about 0.6 s of
# CPU each on a quiet machine, 0.85 s with both cores busy: CPU time too grows under load, if far less
# than wall time) and the 32 KiB a worker may code of a block before it learns the block is dropped.
# The two blocks after the bad one, run to their end for nothing (as before issue 25), cost twice this.
MARGIN_S = 2.5

# Runs the command and prints its exit status, stderr, the CPU seconds of its whole process tree
# and the workers it left running. As a subreaper it adopts what the command leaves behind, so a
# worker that outlives the command is found (and killed), and every process's CPU is counted.
_LAUNCHER = """
import ctypes, json, os, resource, signal, subprocess, sys
PR_SET_CHILD_SUBREAPER = 36
ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
done = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, capture_output=True)
left = []
for entry in filter(str.isdigit, os.listdir("/proc")):
    try:
        with open(f"/proc/{entry}/stat") as stat, open(f"/proc/{entry}/cmdline", "rb") as cmdline:
            state, parent = stat.read().rsplit(")", 1)[1].split()[:2]
            command = cmdline.read()
    except OSError:
        continue
    if parent == str(os.getpid()) and state != "Z" and b"spawn_main" in command:  # a pool's worker
        left.append(int(entry))
        os.kill(int(entry), signal.SIGKILL)
while True:
    try:
        os.wait()
    except ChildProcessError:
        break
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"status": done.returncode, "stderr": done.stderr.decode(errors="replace"),
                  "cpu_s": usage.ru_utime + usage.ru_stime, "left": left}))
"""


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory) -> dict:
    """Two files of five blocks: a bad one (stored, so it is "decoded" at once, and fails its CRC
    check) among costly good ones (the same coded block each time), first or second."""
    folder = tmp_path_factory.mktemp("bad-blocks")
    coded = unpack(compress(words(BLOCK_BYTES + 1), config=preset("fast").replace(block_size=BLOCK_BYTES)))
    costly = coded.blocks[0]
    bad = Block(BLOCK_BYTES, bytes(BLOCK_BYTES), stored=True, original_crc32=1)
    last = Block(1, b"\0", stored=True)
    files = {}
    for name, blocks in {"first": [bad, costly, costly, costly, last],
                         "second": [costly, bad, costly, costly, last]}.items():
        total = sum(block.original_length for block in blocks)
        files[name] = folder / f"bad-{name}.tz"
        files[name].write_bytes(pack(Container(coded.metadata, total, bytes(8), blocks)))
    return files


def _decompress_measured(path, workers: int, tmp_path) -> dict:
    output = tmp_path / f"out-{workers}"
    env = {key: value for key, value in os.environ.items() if key != "PYTHONWARNINGS"}
    launcher = subprocess.run([sys.executable, "-c", _LAUNCHER, sys.executable, "-m", "trainzip", "decompress", "-q",
                               "-T", str(workers), "-o", str(output), str(path)],
                              env=env, capture_output=True, check=True)
    measured = json.loads(launcher.stdout)
    assert not output.exists() and not list(tmp_path.glob(".trainzip-*"))
    return measured


@pytest.mark.parametrize(("which", "block"), [("first", 0), ("second", 1)])
def test_two_workers_refuse_a_bad_block_at_the_cost_of_one(bad_files, tmp_path, which, block):
    """The bad block first: its error stops the pool at once, the costly blocks started beside it
    ended. The bad block second, failing while block 0 still decodes: block 0 decodes on (a serial
    run decodes it too, and it might have failed first), the costly blocks after the bad one are
    dropped at once instead of decoded for nothing. Either way -T 2 prints -T 1's line, costs at
    most MARGIN_S more CPU, and leaves no worker running."""
    serial = _decompress_measured(bad_files[which], 1, tmp_path)
    pooled = _decompress_measured(bad_files[which], 2, tmp_path)
    line = f"trainzip: error: {bad_files[which]}: block {block} does not decode to its recorded checksum (corrupt file)"
    for measured in (serial, pooled):
        assert measured["status"] == 1 and measured["stderr"].splitlines() == [line], measured
        assert measured["left"] == []
    assert pooled["cpu_s"] <= serial["cpu_s"] + MARGIN_S, (serial["cpu_s"], pooled["cpu_s"])
