"""Crafted .tz files of issue 15, each with valid CRCs, built with the container's own writers (and,
for format version 6, which trainzip only reads, with `pack_v6` below, which follows
`container/layout_v6.py` byte for byte).

Each case names the file's bytes and a fragment of the one line its refusal must print: the
regression tests run them through `python -m trainzip decompress`, and the fuzzer starts from them.
"""

from __future__ import annotations

import functools
import json
import os
import random
import subprocess
import sys
import zlib
from pathlib import Path
from collections.abc import Callable
from dataclasses import dataclass

from trainzip.codec.presets import preset
from trainzip.container import Block, Container, pack
from trainzip.container.fields import CRC, strip_padding, varint
from trainzip.container.layout import MAGIC
from trainzip.container.metadata import METADATA_DICTIONARY, metadata_field

GiB = 1 << 30
FAST = {"kind": "bytes", "config": {"level": "fast"}}
# Beyond issue 15's cases: a junk payload long enough for the length it claims (past the floor of
# `min_payload_bytes`) is decoded until it runs out, with the tables the settings size for that
# length (fast's, for 1 GiB: 200 MB, touched at random from the first bytes): memory bounded by
# what the recorded settings need, as an honest file's decoding is, not by a constant.
PAST_FLOOR_MB = 1000
SERIAL = ("--workers", "1")  # several such blocks on a pool would be decoded at once, each as far as its payload
DIGEST = bytes(8)  # never reached: every case is refused before the digest is compared


def custom(**changes) -> dict:
    """The metadata of a custom configuration: `fast`'s settings in full, with ``changes``
    (``"context_mixing.contexts": 0`` changes a nested one)."""
    config = preset("fast").replace(level="custom").to_dict()
    for name, value in changes.items():
        group, _, field = name.rpartition(".")
        (config[group] if group else config)[field] = value
    return {"kind": "bytes", "config": config}


def noise(size: int, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(size)


def pack_v7(metadata, blocks: list[Block], total: int) -> bytes:
    return pack(Container(metadata, total, DIGEST, blocks))


def pack_v6(metadata, blocks: list[Block], total: int, *, raw_metadata: bytes | None = None,
            digest: bytes = DIGEST) -> bytes:
    """A format version 6 file (trainzip 0.6.0's layout; see `layout_v6`) of any field values."""
    body = bytearray(MAGIC + bytes([6]))
    body += raw_metadata if raw_metadata is not None else metadata_field(metadata)
    body += varint(total) + digest
    body += varint(len(blocks) * 2 + bool(blocks and blocks[-1].stored))
    for block in blocks[:-1]:
        payload = block.payload if block.stored else strip_padding(block.payload)
        body += varint(block.original_length) + varint(len(payload) * 2 + block.stored) + payload
    if blocks:
        body += blocks[-1].payload if blocks[-1].stored else strip_padding(blocks[-1].payload)
    return bytes(body + CRC.pack(zlib.crc32(body)))


def raw_metadata_field(text_pieces) -> bytes:
    """A metadata field holding any text, DEFLATEd piece by piece (so 1 GB of it costs no 1 GB here)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, METADATA_DICTIONARY)
    deflated = b"".join(compressor.compress(piece) for piece in text_pieces) + compressor.flush()
    return varint(2 * len(deflated)) + deflated


def v7_with_raw_metadata(field: bytes) -> bytes:
    """A one-block version 7 file whose metadata field is ``field`` (CRC-32 recomputed)."""
    body = MAGIC + bytes([7]) + field + varint((100 * 2) * 2 + 1) + b"\x12\x34" + DIGEST
    return body + CRC.pack(zlib.crc32(body))


@functools.cache
def _inflating_to_1_gb() -> bytes:
    head = b'{"config":{"level":"fast"},"kind":"bytes","padding":"'
    return raw_metadata_field([head, *([b" " * (1 << 24)] * 64), b'"}'])


def _nested(depth: int) -> bytes:
    return raw_metadata_field([b'{"kind":"bytes","config":{"level":', b"[" * depth, b"]" * depth, b"}}"])


def _one_byte_blocks(count: int) -> bytes:
    """``count`` coded one-byte blocks with empty payloads (the block size recorded as 1); their
    CRCs are those of no decoding, so the first one decoded is refused."""
    blocks = [Block(1, b"", original_crc32=0) for _ in range(count)]
    return pack_v7(custom(block_size=1), blocks + [Block(1, b"")], count + 1)


def _empty_blocks_v6(count: int) -> bytes:
    """Issue 15's 401 kB file: ``count`` empty blocks, then one holding all ``count`` bytes."""
    return pack_v6(FAST, [Block(0, b"") for _ in range(count)] + [Block(count, b"\x55" * 64)], count)


def _one_block(metadata, length: int = 100, payload: bytes = b"\x12\x34\x56\x78" * 3) -> bytes:
    return pack_v7(metadata, [Block(length, payload)], length)


def _network_block(metadata) -> bytes:
    """A block long enough for the network (where the metadata lets it join)."""
    return pack_v7(metadata, [Block(70_000, noise(2000))], 70_000)


_GREEDY_NETWORK = {"kind": "exact-lstm", "hidden": 1024, "embedding": 256, "bptt": 256}


def _greedy(**changes) -> dict:
    """The largest tables the format allows, for blocks of up to 1 GiB (4.5 GiB to decode one)."""
    return custom(block_size=GiB, **{"context_mixing.contexts": 48, "context_mixing.table_bits": 24,
                                     "context_mixing.match_bits": 24}, **changes)


@dataclass(frozen=True)
class Case:
    """One crafted file and what its refusal must say."""

    build: Callable[[], bytes]
    message: str  # a fragment of the one error line
    peak_mb: int = 500  # issue 15's bound for every case it lists
    options: tuple[str, ...] = ()  # of `trainzip decompress`


CASES: dict[str, Case] = {
    # the original length trusted
    "claim-1GiB": Case(lambda: pack_v7(FAST, [Block(GiB, noise(1439))], GiB), "implausible length"),
    "claim-1GiB-block-size-1GiB": Case(lambda: pack_v7(custom(block_size=GiB), [Block(GiB, noise(1439))], GiB),
                                       "too short for the 1,073,741,824 bytes"),
    "claim-1GiB-payload-past-floor": Case(lambda: pack_v7(custom(block_size=GiB), [Block(GiB, noise(9000))], GiB),
                                          "payload ends before", PAST_FLOOR_MB),
    "claim-4GiB": Case(lambda: pack_v7(custom(block_size=GiB), [Block(4 * GiB, noise(40_000))], 4 * GiB),
                       "implausible length"),
    "claim-4GiB-in-4-blocks": Case(
        lambda: pack_v7(custom(block_size=GiB), [Block(GiB, noise(9000), original_crc32=0)] * 3
                        + [Block(GiB, noise(9000))], 4 * GiB), "payload ends before", PAST_FLOOR_MB, SERIAL),
    "v6-claim-1GiB": Case(lambda: pack_v6(FAST, [Block(GiB, noise(1439))], GiB), "implausible block count"),
    "v6-claim-1GiB-block-size-1GiB": Case(lambda: pack_v6(custom(block_size=GiB), [Block(GiB, noise(1439))], GiB),
                                          "too short for the 1,073,741,824 bytes"),
    "v6-claim-4GiB": Case(lambda: pack_v6(custom(block_size=GiB), [Block(GiB, noise(9000))] * 4, 4 * GiB),
                          "payload ends before", PAST_FLOOR_MB, SERIAL),
    # the metadata
    "metadata-inflates-to-1GB": Case(lambda: v7_with_raw_metadata(_inflating_to_1_gb()), "settings are not readable"),
    "v6-metadata-inflates-to-1GB": Case(lambda: pack_v6(None, [Block(100, b"\x12\x34")], 100,
                                                        raw_metadata=_inflating_to_1_gb()), "settings are not readable"),
    "metadata-nested-100000-deep": Case(lambda: v7_with_raw_metadata(_nested(100_000)), "settings are not readable"),
    "metadata-nested-900-deep": Case(lambda: v7_with_raw_metadata(_nested(900)), "a level this trainzip does not have"),
    # crafted settings
    "config-null": Case(lambda: _one_block({"kind": "bytes", "config": None}), "must be an object"),
    "level-a-list": Case(lambda: _one_block({"kind": "bytes", "config": {"level": ["fast"]}}),
                         "a level this trainzip does not have"),
    "level-a-list-in-full-settings": Case(lambda: _one_block(custom(level=["fast"])), "level must be a string"),
    "fingerprint-a-string": Case(lambda: _network_block(dict(custom(), fingerprint="x86_64")),
                                 "fingerprint is not valid"),
    "fingerprint-a-list": Case(lambda: _network_block(dict(custom(), fingerprint=[1, 2])), "fingerprint is not valid"),
    "fingerprint-threads-a-string": Case(lambda: _network_block(dict(custom(), fingerprint={"threads": "many"})),
                                         "threads must be an integer"),
    "contexts-0": Case(lambda: _one_block(custom(**{"context_mixing.contexts": 0})), "context_mixing.contexts"),
    "contexts-49": Case(lambda: _one_block(custom(**{"context_mixing.contexts": 49})), "context_mixing.contexts"),
    "lstm-hidden-10^7": Case(lambda: _network_block(custom(network={"hidden": 10 ** 7})), "network.hidden"),
    "lstm-hidden-a-string": Case(lambda: _network_block(custom(network={"hidden": "128"})), "network.hidden"),
    "lstm-learning-rate-nan": Case(lambda: _network_block(custom(network={"learning_rate": float("nan")})),
                                   "network.learning_rate"),
    "table-bits-40": Case(lambda: _one_block(custom(**{"context_mixing.table_bits": 40})),
                          "context_mixing.table_bits"),
    "streams-10^9": Case(lambda: _one_block(custom(streams=10 ** 9)), "streams must be in"),
    "threads-10^6": Case(lambda: _one_block(custom(threads=10 ** 6)), "threads must be in"),
    "v6-contexts-49": Case(lambda: pack_v6(custom(**{"context_mixing.contexts": 49}), [Block(100, b"\x12")], 100),
                           "context_mixing.contexts"),
    "v6-fingerprint-a-string": Case(lambda: pack_v6(dict(custom(), fingerprint="x"), [Block(100, b"\x12")], 100),
                                    "fingerprint is not valid"),
    # many tiny blocks
    "200000-one-byte-blocks": Case(lambda: _one_byte_blocks(200_000), "block 0 does not decode"),
    "v6-200000-empty-blocks": Case(lambda: _empty_blocks_v6(200_000), "implausible block count"),
    # issue 25: settings each within the format's limits that together ask for more memory than the
    # decoder's limit (3 GiB by default), with the fewest payload bytes their length allows
    "8KB-asks-4.5GiB": Case(lambda: pack_v7(_greedy(), [Block(GiB, noise(8190))], GiB),
                            "needs 4.5 GiB of memory, over the limit of 3.0 GiB"),
    "v6-8KB-asks-4.5GiB": Case(lambda: pack_v6(_greedy(), [Block(GiB, noise(8190))], GiB),
                               "needs 4.5 GiB of memory, over the limit of 3.0 GiB"),
    "network-and-tables-ask-3.2GiB": Case(lambda: _network_block(_greedy(network=_GREEDY_NETWORK, streams=256,
                                                                       min_segment=1)), "of memory, over the limit"),
    "within-the-format-over-a-user-limit": Case(lambda: _one_block(FAST), "over the limit of 100.0 MiB",
                                                options=("--memlimit", "100MiB")),
    # issue 25: 0.6's PyTorch network without the fingerprint that decoding it needs
    "torch-network-without-fingerprint": Case(lambda: _network_block(custom(network={})),
                                              "records no numerics fingerprint"),
    "v6-torch-network-without-fingerprint": Case(lambda: pack_v6(custom(network={}), [Block(70_000, noise(2000))],
                                                                 70_000), "records no numerics fingerprint"),
}



CPU_SECONDS = 10.0  # issue 15's bound, in CPU seconds of the command's whole process tree
HANG_SECONDS = 120.0  # wall clock, only to end a hung command: a busy machine may stretch wall time, not CPU time
DATA_LIMIT_BYTES = 8 << 30  # a safety net only (a lazily zeroed buffer counts in full); the bound is a case's peak_mb


# Runs the command and reports its exit code, peak RSS (MB) and CPU seconds. It runs in a small
# Python of its own: Linux counts the pages a child shares with the process it was forked from in
# the child's peak RSS (wait4's ru_maxrss keeps that peak across exec), so forking the command from
# a test process that holds PyTorch would measure the test process, not the command. wait4's usage
# of the command includes every process it waited for (a pool's workers), so the CPU time is the
# process tree's; its peak RSS is the largest single process's.
_LAUNCHER = """
import json, os, resource, subprocess, sys, time
data_limit, hang_seconds = int(sys.argv[1]), float(sys.argv[2])
def limit_data():
    resource.setrlimit(resource.RLIMIT_DATA, (data_limit, data_limit))
started = time.monotonic()
child = subprocess.Popen(sys.argv[3:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, preexec_fn=limit_data)
while True:
    pid, status, usage = os.wait4(child.pid, os.WNOHANG)
    if pid:
        break
    if time.monotonic() - started > hang_seconds:
        child.kill()
    time.sleep(0.01)
print(json.dumps([os.waitstatus_to_exitcode(status), usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime]))
"""


def run_measured(args: list[str], cwd) -> tuple[int, str, float, float]:
    """Run ``python -m trainzip ARGS``; returns its exit code, its stderr, its peak RSS in MB (its
    own, from wait4, in a launcher of its own) and the CPU seconds of its process tree (a hung
    command is killed after HANG_SECONDS of wall time)."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONWARNINGS"}
    launcher = subprocess.run([sys.executable, "-c", _LAUNCHER, str(DATA_LIMIT_BYTES), str(HANG_SECONDS),
                               sys.executable, "-m", "trainzip", *args], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=2 * HANG_SECONDS)
    code, peak_mb, cpu_seconds = json.loads(launcher.stdout)
    return code, launcher.stderr.decode(errors="replace"), peak_mb, cpu_seconds


FAMILIES = (("torch-network", "0.6 network, no fingerprint"), ("claim", "lying lengths"),
            ("metadata", "metadata"), ("fingerprint", "fingerprint"), ("blocks", "many tiny blocks"),
            ("GiB", "memory limit"), ("limit", "memory limit"), ("", "settings"))


def family(name: str) -> str:
    """The family a case belongs to, for the table (the first whose key its name holds)."""
    return next(label for key, label in FAMILIES if key in name)


def main() -> None:
    """Print each case's measured outcome with -T 1 and -T 2 (one run for a case that names its own
    worker count), as a Markdown table: `python -m tests.hostile_files` (from the repository root)."""
    import tempfile

    print("| family | case | -T | exit | peak MB | CPU s | one line, nothing left |\n|---|---|---|---:|---:|---:|---|")
    for name, case in sorted(CASES.items(), key=lambda item: (family(item[0]), item[0])):
        for workers in ((None,) if "--workers" in case.options else ("1", "2")):
            with tempfile.TemporaryDirectory() as directory:
                folder = Path(directory)
                (folder / "crafted.tz").write_bytes(case.build())
                args = ["decompress", "crafted.tz", *case.options, *(() if workers is None else ("-T", workers))]
                code, error, peak_mb, cpu_seconds = run_measured(args, folder)
                left = sorted(path.name for path in folder.iterdir() if path.name != "crafted.tz")
            lines = error.strip().splitlines()
            clean = len(lines) == 1 and case.message in lines[0] and not left
            shown = "1" if workers is None else workers
            print(f"| {family(name)} | {name} | {shown} | {code} | {peak_mb:.0f} | {cpu_seconds:.2f} | "
                  f"{'yes' if clean else 'NO: ' + repr(error.strip()[-200:]) + (' left ' + str(left) if left else '')} |",
                  flush=True)


if __name__ == "__main__":
    main()
