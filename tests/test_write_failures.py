"""A write that fails, at any block size and worker count, is one line naming the output and leaves
nothing behind (issue 25).

The disk fills for real: a 64 KiB tmpfs (ENOSPC), where this process may mount one, and a file size
limit (RLIMIT_FSIZE: EFBIG) set in the command's own process. Each command runs as `trainzip` does
from a shell, in a process of its own: subcommands with 1 KiB blocks (a frame written every KiB)
and the gzip-style form with its level's one large block, compressing and decompressing, with one
worker and with a pool of two.
"""

from __future__ import annotations

import os
import random
import resource
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field

import pytest

from tests.text_samples import words
from trainzip.codec import compress
from trainzip.codec.presets import preset

TMPFS_BYTES = 64 << 10
FILE_SIZE_LIMIT = 32 << 10  # RLIMIT_FSIZE of the command's process
RANDOM = random.Random(0).randbytes(40 << 10)  # stored, not coded: a file of about as many bytes
SMALL_BLOCK = 1024


@pytest.fixture(scope="module")
def packed() -> bytes:
    """96 KiB of text in 1 KiB coded blocks: about 52 KiB, which fits in the tmpfs beside its input
    while its decompressed bytes do not (coding it here also leaves the kernels' cache fresh, so no
    command below writes one under its file size limit)."""
    return compress(words(96 << 10), config=preset("fast").replace(block_size=SMALL_BLOCK))


@dataclass
class FullPlace:
    """A folder where writing fails: the error it gives, and how a command is run to meet it."""

    folder: object
    strerror: str
    preexec_fn: object = None
    env: dict = field(default_factory=dict)

    def run(self, *args: str) -> subprocess.CompletedProcess:
        env = dict(os.environ, PYTHONWARNINGS="ignore", **self.env)
        return subprocess.run([sys.executable, "-m", "trainzip", *args], cwd=self.folder, env=env,
                              stdin=subprocess.DEVNULL, capture_output=True, preexec_fn=self.preexec_fn)


def _limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG, not a signal
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))


@pytest.fixture
def tmpfs(tmp_path):
    """A 64 KiB tmpfs, unmounted after the test (skipped where this process may not mount one)."""
    folder = tmp_path / "full"
    folder.mkdir()
    if shutil.which("mount") is None or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={TMPFS_BYTES}", "tmpfs", str(folder)],
            capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (the file size limit's cases still run)")
    try:
        yield FullPlace(folder, "No space left on device")
    finally:
        if subprocess.run(["umount", str(folder)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True)


@pytest.fixture
def size_limited(tmp_path):
    folder = tmp_path / "limited"
    folder.mkdir()
    return FullPlace(folder, "File too large", preexec_fn=_limit_file_size)


def _command(direction: str, form: str, workers: int) -> list[str]:
    """The command line coding IN (in the full place, so the gzip-style form writes beside it) into OUT."""
    if form == "gzip-style":
        return ["-q", "--fast", "-T", str(workers), *(["-d"] if direction == "decompress" else []), "IN"]
    if direction == "compress":
        return ["compress", "-q", "--level", "fast", "--block-size", str(SMALL_BLOCK), "-T", str(workers),
                "-o", "OUT", "IN"]
    return ["decompress", "-q", "-T", str(workers), "-o", "OUT", "IN"]


def _meet_a_failing_write(place: FullPlace, packed: bytes, direction: str, form: str, workers: int) -> None:
    """Run the command where writing fails: one line naming the output, exit status 1, and the
    folder exactly as it was."""
    source = ("IN.tz" if form == "gzip-style" else "IN") if direction == "decompress" else "IN"
    output = {"compress": "IN.tz", "decompress": "IN"}[direction] if form == "gzip-style" else "OUT"
    (place.folder / source).write_bytes(packed if direction == "decompress" else RANDOM)
    args = [source if arg == "IN" else arg for arg in _command(direction, form, workers)]
    done = place.run(*args)
    assert done.returncode == 1, done.stderr.decode()
    assert done.stderr.decode().splitlines() == [f"trainzip: error: {output}: cannot write it: {place.strerror}"]
    assert sorted(os.listdir(place.folder)) == [source]


CASES = [(direction, form, workers) for direction in ("compress", "decompress")
         for form in ("subcommand", "gzip-style") for workers in (1, 2)]
SOME_CASES = [("compress", "subcommand", 2), ("compress", "gzip-style", 1), ("decompress", "subcommand", 1),
              ("decompress", "gzip-style", 2)]


def _case_id(case) -> str:
    direction, form, workers = case
    return f"{direction}-{form}-T{workers}"


@pytest.mark.parametrize(("direction", "form", "workers"), CASES, ids=map(_case_id, CASES))
def test_a_full_disk_is_named_by_the_output_and_leaves_nothing(tmpfs, packed, direction, form, workers):
    """ENOSPC, whether it comes at the first frame or the ninetieth, on one worker or two."""
    _meet_a_failing_write(tmpfs, packed, direction, form, workers)


@pytest.mark.parametrize(("direction", "form", "workers"), SOME_CASES, ids=map(_case_id, SOME_CASES))
def test_a_file_size_limit_is_named_by_the_output_and_leaves_nothing(size_limited, packed, direction, form, workers):
    """EFBIG (a file size limit, or a file system's largest file) as ENOSPC."""
    _meet_a_failing_write(size_limited, packed, direction, form, workers)


def test_verification_copy_on_a_full_disk_is_named_by_the_output(tmpfs, tmp_path):
    """compress --verify keeps the compressed file in the temporary directory until it decodes: a
    write failing there names the output (and where the copy was), and leaves nothing anywhere."""
    (tmp_path / "IN").write_bytes(random.Random(1).randbytes(TMPFS_BYTES + (8 << 10)))  # more than the tmpfs holds
    tmpfs.env["TMPDIR"] = str(tmpfs.folder)
    done = tmpfs.run("compress", "-q", "--verify", "--level", "fast", "--block-size", str(SMALL_BLOCK), "-T", "2",
                     "-o", str(tmp_path / "OUT"), str(tmp_path / "IN"))
    assert done.returncode == 1
    assert done.stderr.decode().splitlines() == [
        f"trainzip: error: {tmp_path / 'OUT'}: cannot write its copy for checking, in {tmpfs.folder}: "
        "No space left on device"]
    assert os.listdir(tmpfs.folder) == [] and sorted(os.listdir(tmp_path)) == ["IN", "full"]


def test_stdout_on_a_full_disk_is_named_and_fails(tmpfs, packed, tmp_path):
    """-c with stdout redirected to a file on a full disk: "stdout: cannot write it" and status 1
    (not the quiet stop of a reader gone away, which is for a closed pipe)."""
    (tmp_path / "IN.tz").write_bytes(packed)
    with open(tmpfs.folder / "redirected", "wb") as redirected:
        done = subprocess.run([sys.executable, "-m", "trainzip", "-d", "-c", "-T", "2", str(tmp_path / "IN.tz")],
                              stdout=redirected, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                              env=dict(os.environ, PYTHONWARNINGS="ignore"))
    assert done.returncode == 1
    assert done.stderr.decode().splitlines() == ["trainzip: error: stdout: cannot write it: No space left on device"]
