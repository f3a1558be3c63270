"""A structure-aware fuzzer of the .tz container and the settings, with Hypothesis.

Each case starts from an honest file (fast, default and max, one block, many blocks with a stored
one, an empty input; format versions 7 and 6) and mutates its structure: the metadata (a field of
the settings given a value of another kind or out of range, unknown names, nested JSON, a named
level's index, a fingerprint of any shape), each block's length, stored flag, payload and CRC,
the blocks' number, the total length and the digest; then writes it with every CRC valid (or,
for a few, damages the bytes after). Each case is decoded in this process; it must end in a
`TrainzipError` of one line or give back exactly the honest file's original (the digest guards
it), within a time bound, and the process's peak memory stays bounded.

In the suite (`tests/test_fuzz_container.py`) it runs a fixed, derandomized budget; a longer run:

    python tests/fuzz_container.py --cases 100000
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import resource
import signal
import sys
import time
import zlib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.hostile_files import pack_v6  # noqa: E402
from trainzip.codec import compress, decompress  # noqa: E402
from trainzip.codec.presets import preset  # noqa: E402
from trainzip.container import Block, unpack  # noqa: E402
from trainzip.container.fields import CRC, strip_padding, varint  # noqa: E402
from trainzip.container.layout import MAGIC  # noqa: E402
from trainzip.container.metadata import METADATA_DICTIONARY, metadata_field  # noqa: E402
from trainzip.errors import TrainzipError  # noqa: E402

CASE_SECONDS = 10  # a case running longer is a hang
TEXT = b"The prequential code length of the data under the learner: predict, pay, learn. " * 6


def _honest_files() -> list[tuple[bytes, bytes]]:
    """(original, honest .tz file) pairs the mutations start from."""
    mixed = TEXT[:300] + bytes(range(256)) + TEXT[:200]  # a stored block among coded ones
    small_blocks = preset("fast").replace(level="custom", block_size=256)
    return [(TEXT[:300], compress(TEXT[:300], level="fast")),
            (TEXT[:200], compress(TEXT[:200], level="default")),
            (TEXT[:200], compress(TEXT[:200], level="max")),
            (mixed, compress(mixed, config=small_blocks)),
            (b"", compress(b"", level="fast"))]


HONEST = _honest_files()

# JSON values of every kind, with the edges a crafted setting would use
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2, 70), st.integers(-(1 << 70), 1 << 70),
                    st.sampled_from([0, 1, 48, 49, 255, 256, 1 << 24, 1 << 30, 1 << 31, 1 << 62, 1 << 63, 10 ** 9]),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
                    st.sampled_from(["fast", "default", "max", "custom", "bytes", "labels"]))
JSON = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                    max_leaves=12)
# Lengths a crafted frame claims: around the honest files' and their block sizes, and far past any
# block size. Not between 64 KiB and the levels' 16 MiB block size: such a claim passes every bound
# with a payload of a few bytes and decodes, as its honest encoding would, at the level's speed (a
# payload that runs out is refused at once, one whose decoding settles on a predictable byte is not;
# tests/hostile_files.py has such cases), longer than this fuzzer's bound per case.
LENGTHS = st.one_of(st.integers(0, 600), st.sampled_from([255, 256, 257, 40_000, 65_535, (1 << 24) + 1, 1 << 30, 1 << 32]),
                    st.integers(1 << 25, 1 << 64))


def _mutate_settings(draw, config: dict) -> dict:
    """A copy of the full settings with one field (perhaps nested) given another value, or added."""
    config = json.loads(json.dumps(config))
    group = draw(st.sampled_from(["", "context_mixing", "network"]))
    target = config if not group else config.setdefault(group, {}) if isinstance(config.get(group), dict) else config
    name = draw(st.one_of(st.sampled_from(sorted(target) or ["level"]), st.text(max_size=8)))
    target[name] = draw(st.one_of(JSON, st.sampled_from([None, {"hidden": 10 ** 7}, [], {}])))
    return config


@st.composite
def metadata(draw, honest: dict) -> bytes:
    """The metadata field: the honest one, a named index, or DEFLATEd JSON with a mutation."""
    choice = draw(st.sampled_from(["keep"] * 5 + ["index", "settings", "settings", "fingerprint", "kind", "any",
                                                  "nested"]))
    if choice == "keep":
        return metadata_field(honest)
    if choice == "index":
        return varint(2 * draw(st.integers(0, 8)) + 1)
    record = json.loads(json.dumps(honest))
    if choice == "settings":
        full = preset(record["config"]["level"]).replace(level="custom").to_dict() \
            if record["config"].get("level") in ("fast", "default", "max") else record["config"]
        record["config"] = _mutate_settings(draw, full)
    elif choice == "fingerprint":
        record["fingerprint"] = draw(st.one_of(JSON, st.dictionaries(st.sampled_from(["threads", "torch", "gpu"]),
                                                                     SCALARS, max_size=3)))
    elif choice == "kind":
        record["kind"] = draw(JSON)
    elif choice == "any":
        record = draw(JSON)
    else:
        depth = draw(st.sampled_from([10, 500, 990, 1100, 100_000]))
        return _deflated_field(b'{"kind":"bytes","config":' + b"[" * depth + b"]" * depth + b"}")
    return _deflated_field(json.dumps(record, sort_keys=True, separators=(",", ":")).encode())


def _deflated_field(text: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, METADATA_DICTIONARY)
    deflated = compressor.compress(text) + compressor.flush()
    return varint(2 * len(deflated)) + deflated


@st.composite
def payloads(draw, payload: bytes) -> bytes:
    """The honest payload, or cut, extended, replaced or flipped."""
    choice = draw(st.sampled_from(["keep", "keep", "cut", "extend", "replace", "flip"]))
    if choice == "cut":
        return payload[:draw(st.integers(0, max(len(payload) - 1, 0)))]
    if choice == "extend":
        return payload + draw(st.binary(max_size=64))
    if choice == "replace":
        return draw(st.binary(max_size=200))
    if choice == "flip" and payload:
        index = draw(st.integers(0, len(payload) * 8 - 1))
        return payload[:index // 8] + bytes([payload[index // 8] ^ (1 << index % 8)]) + payload[index // 8 + 1:]
    return payload


@st.composite
def blocks(draw, honest: list[Block]) -> list[Block]:
    """Each honest block, its length, flag, payload or CRC perhaps changed; blocks perhaps dropped,
    repeated or added."""
    out = []
    for block in honest:
        length = block.original_length if draw(st.integers(0, 3)) else draw(LENGTHS)
        stored = block.stored if draw(st.integers(0, 5)) else not block.stored
        crc = block.original_crc32 if draw(st.integers(0, 5)) else draw(st.integers(0, (1 << 32) - 1))
        out.append(Block(length, draw(payloads(block.payload)), stored, crc))
    edit = draw(st.sampled_from(["none"] * 6 + ["drop", "repeat", "add"]))
    if edit == "drop" and out:
        del out[draw(st.integers(0, len(out) - 1))]
    elif edit == "repeat" and out:
        out.insert(0, out[0])
    elif edit == "add":
        out.append(Block(draw(LENGTHS), draw(st.binary(max_size=100)), draw(st.booleans()), 0))
    return out


def write_v7(field: bytes, frames: list[Block], total: int, digest: bytes) -> bytes:
    """A version 7 file of any field values, every CRC-32 valid (as `FrameWriter` writes them)."""
    out = bytearray(MAGIC + bytes([7]) + field)
    for block in frames[:-1]:
        payload = block.payload if block.stored else strip_padding(block.payload)
        out += varint((block.original_length * 2 + block.stored) * 2)
        out += (b"" if block.stored else varint(len(payload))) + payload
        out += CRC.pack((block.original_crc32 or 0) & 0xFFFFFFFF)
        out += CRC.pack(zlib.crc32(out))
    last = frames[-1] if frames else Block(0, b"")
    out += varint((total * 2 + last.stored) * 2 + 1)
    out += (last.payload if last.stored else strip_padding(last.payload)) + digest
    return bytes(out + CRC.pack(zlib.crc32(out)))


@st.composite
def crafted_files(draw) -> tuple[bytes, bytes]:
    """(the honest original, a crafted file made from its honest encoding)."""
    original, honest_file = draw(st.sampled_from(HONEST))
    container = unpack(honest_file)
    field = draw(metadata(container.metadata))
    frames = draw(blocks(container.blocks))
    total = container.original_length if draw(st.integers(0, 3)) else draw(LENGTHS)
    digest = container.original_digest if draw(st.integers(0, 7)) else draw(st.binary(min_size=8, max_size=8))
    if draw(st.booleans()):
        blob = write_v7(field, frames, total, digest)
    else:
        blob = pack_v6(None, frames, total, raw_metadata=field, digest=digest)
    damage = draw(st.sampled_from(["none"] * 12 + ["cut", "garbage", "flip"]))
    if damage == "cut":
        blob = blob[:draw(st.integers(0, len(blob) - 1))]
    elif damage == "garbage":
        blob += draw(st.binary(min_size=1, max_size=40))
    elif damage == "flip":
        index = draw(st.integers(0, len(blob) * 8 - 1))
        blob = blob[:index // 8] + bytes([blob[index // 8] ^ (1 << index % 8)]) + blob[index // 8 + 1:]
    return original, blob


class Tally:
    """What the cases ended in: outcomes by error kind, the slowest case, the cases that failed."""

    def __init__(self):
        self.outcomes: collections.Counter = collections.Counter()
        self.cases = 0
        self.report_every = 0  # print a line every this many cases (0: never)
        self.max_seconds = 0.0  # of CPU time
        self.peak_cases: list[tuple[float, str]] = []  # (peak RSS in MB after it, the case) where the peak rose

    def kind(self, error: TrainzipError) -> str:
        """The error's class and its message up to the first value it quotes, numbers taken out."""
        message = re.sub(r"\d[\d,.]*", "N", re.split(r" [([{'\"]", str(error))[0]).strip()
        message = re.sub(r"unknown setting .*", "unknown setting NAME", message)
        return f"{type(error).__name__}: {message[:80]}"


TALLY = Tally()


def _on_timer(signum, frame):
    raise TimeoutError(f"a case ran past {CASE_SECONDS} s of CPU time")


def check_case(original: bytes, blob: bytes) -> None:
    """Decode one crafted file: a one-line TrainzipError, or exactly the honest original, within
    CASE_SECONDS of this process's CPU time (not wall time: on a shared machine a low-priority run
    may wait for a core longer than it computes)."""
    started = time.process_time()
    previous = signal.signal(signal.SIGPROF, _on_timer)
    signal.setitimer(signal.ITIMER_PROF, CASE_SECONDS)
    try:
        decoded = decompress(blob)
    except TrainzipError as error:
        assert "\n" not in str(error) and str(error), repr(error)
        TALLY.outcomes[TALLY.kind(error)] += 1
    else:
        assert decoded == original, "a crafted file decoded to other bytes than the honest original"
        TALLY.outcomes["decoded to the honest original"] += 1
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
        TALLY.cases += 1
        TALLY.max_seconds = max(TALLY.max_seconds, time.process_time() - started)
        if TALLY.report_every and TALLY.cases % TALLY.report_every == 0:
            print(f"{TALLY.cases:,} cases, slowest {TALLY.max_seconds:.3f} s, peak {peak_rss_mb():,.0f} MB", flush=True)
        if peak_rss_mb() > (TALLY.peak_cases[-1][0] if TALLY.peak_cases else 0) + 20:
            TALLY.peak_cases.append((peak_rss_mb(), describe(blob)))


def describe(blob: bytes) -> str:
    """A crafted file's version, settings and lengths, as far as they parse."""
    try:
        container = unpack(blob)
    except TrainzipError as error:
        return f"{len(blob):,} bytes, unparsed ({error})"
    return (f"v{container.format_version}, {json.dumps(container.metadata)[:200]}, total {container.original_length:,}, "
            f"blocks {[(block.original_length, len(block.payload), block.stored) for block in container.blocks]}")


def fuzz_test(cases: int, *, derandomize: bool, seed: int | None = None):
    """The Hypothesis test over ``cases`` crafted files."""

    @settings(max_examples=cases, derandomize=derandomize, database=None, deadline=None, print_blob=True,
              suppress_health_check=list(HealthCheck))
    @given(crafted_files())
    def test(case):
        check_case(*case)

    if seed is not None:
        from hypothesis import seed as with_seed

        test = with_seed(seed)(test)
    return test


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    started = time.perf_counter()
    TALLY.report_every = 10_000
    fuzz_test(args.cases, derandomize=False, seed=args.seed)()
    print(f"cases run: {TALLY.cases:,} in {time.perf_counter() - started:,.0f} s (seed {args.seed})")
    print(f"slowest case: {TALLY.max_seconds:.3f} s of CPU time; peak RSS of the process: {peak_rss_mb():,.0f} MB")
    for kind, count in TALLY.outcomes.most_common():
        print(f"{count:>9,}  {kind}")
    print("cases that raised the peak RSS (MB after them):")
    for peak_mb, case in TALLY.peak_cases[-5:]:
        print(f"  {peak_mb:,.0f}  {case}")


if __name__ == "__main__":
    main()
