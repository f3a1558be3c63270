"""Golden files of every level: committed bitstreams that must decode, byte for byte, forever.

Each folder under tests/golden/ (named by the release that wrote it) was written once by
`tests/golden/make_golden.py` and is never rewritten. A change that alters what a recorded setting decodes to fails
here first. Every file decodes in a fresh process, once on the host's CPU target and once on a generic
one: the files' code must not depend on the machine (docs/format.md, "The promise").
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from trainzip.codec import compress, read_settings
from trainzip.container import FORMAT_VERSION, unpack

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
FOLDERS = sorted((p for p in GOLDEN.iterdir() if (p / "manifest.json").exists()),
                 key=lambda p: tuple(int(part) for part in p.name.split(".")))  # by release
ENTRIES = [(folder, entry) for folder in FOLDERS for entry in json.loads((folder / "manifest.json").read_text())["files"]]


MACHINE_INDEPENDENT = [(folder, entry) for folder, entry in ENTRIES if not entry["machine_dependent"]]
MACHINE_DEPENDENT = [(folder, entry) for folder, entry in ENTRIES if entry["machine_dependent"]]


def _ids(pairs):
    return [f"{folder.name}/{entry['file']}" for folder, entry in pairs]


def test_every_level_has_a_golden_file():
    """fast, default and max each have a golden text (over 64 KiB, so every component works) and binary,
    in the current format version; and a file of several frames, one of them stored."""
    manifest = json.loads((FOLDERS[-1] / "manifest.json").read_text())
    assert manifest["format_version"] == FORMAT_VERSION
    newest = manifest["files"]
    frames = [unpack((FOLDERS[-1] / entry["file"]).read_bytes()).blocks for entry in newest]
    assert any(len(blocks) > 2 and any(block.stored for block in blocks[:-1]) for blocks in frames)
    covered = {(entry["original"], entry["level"]) for entry in newest}
    for level in ("fast", "default", "max"):
        assert {("text.txt", level), ("binary.bin", level)} <= covered
    assert min(entry["original_bytes"] for entry in newest if entry["original"] == "text.txt") > 64 * 1024


@pytest.mark.parametrize("folder, entry", ENTRIES, ids=_ids(ENTRIES))
def test_golden_files_are_unchanged(folder, entry):
    """A committed golden file and its original still have the bytes the manifest recorded."""
    assert hashlib.sha256((folder / entry["file"]).read_bytes()).hexdigest() == entry["sha256"]
    assert hashlib.sha256((folder / entry["original"]).read_bytes()).hexdigest() == entry["original_sha256"]


# Another CPU target in one process: Numba compiles for a baseline x86-64 (SSE2, no FMA, no AVX),
# PyTorch (where a 0.6 file still imports it) runs its default kernels, oneMKL another code path.
GENERIC_TARGET = {"NUMBA_CPU_NAME": "generic", "ATEN_CPU_CAPABILITY": "default", "MKL_CBWR": "COMPATIBLE"}


def decode_in_fresh_process(folders, **environment) -> dict:
    """{folder: {file: SHA-256 of the decoded bytes, or "error: ..."}}, decoded by a process that
    encoded nothing, under the given environment."""
    env = dict(os.environ, PYTHONWARNINGS="ignore", **environment)
    result = subprocess.run([sys.executable, "-m", "tests.golden.decode", *map(str, folders)], capture_output=True,
                            text=True, cwd=ROOT, env=env, timeout=900)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def failures(entries, decoded) -> list[str]:
    """The golden files that did not decode to their original's exact bytes."""
    return [f"{folder.name}/{entry['file']}: {decoded[str(folder)][entry['file']]}" for folder, entry in entries
            if decoded[str(folder)][entry["file"]] != entry["original_sha256"]]


@pytest.fixture(scope="module")
def decoded_in_a_fresh_process() -> dict:
    """Every golden file, decoded once by a process that encoded nothing (on the host's CPU target)."""
    return decode_in_fresh_process(FOLDERS)


def test_golden_files_decode_in_a_fresh_process(decoded_in_a_fresh_process):
    """Every machine-independent golden file decodes to its original's exact bytes in a process that
    encoded nothing, on any machine."""
    assert failures(MACHINE_INDEPENDENT, decoded_in_a_fresh_process) == []


def _recorded_numerics_differ(folder: Path, entry: dict) -> str | None:
    """Why this machine cannot decode a machine-dependent golden file (None: it can): 0.6's PyTorch
    network decodes only where PyTorch computes its floats as where it was coded."""
    from trainzip.errors import FingerprintError
    from trainzip.numerics import check_torch_network_numerics

    try:
        check_torch_network_numerics(unpack((folder / entry["file"]).read_bytes()).metadata["fingerprint"])
    except FingerprintError as difference:
        return str(difference)
    return None


@pytest.mark.parametrize("folder, entry", MACHINE_DEPENDENT, ids=_ids(MACHINE_DEPENDENT))
def test_a_machine_dependent_golden_file_decodes_where_its_numerics_exist(folder, entry, decoded_in_a_fresh_process):
    """A file of 0.6's PyTorch network decodes exactly, in a fresh process, on every machine whose
    PyTorch computes as the writer's did (its fingerprint); elsewhere (a CPU without AVX-512, say) it
    is skipped with the reason, since there it is refused by design (see the generic-target test)."""
    reason = _recorded_numerics_differ(folder, entry)
    if reason is not None:
        pytest.skip(f"{folder.name}/{entry['file']} decodes only where its numerics exist: {reason}")
    assert failures([(folder, entry)], decoded_in_a_fresh_process) == []


def _exact_network_files(folder: Path) -> list[dict]:
    """Files coded here, on the host's CPU target, by the exact network (20 kB each, to keep the
    generic target's slower decoding short): default's newest revision over its 64 streams (short
    ones), max's count model with a network on its one stream, and three streams that end at
    different steps."""
    from trainzip.codec.presets import LEVELS
    from trainzip.models.network.config import EXACT_LSTM, NetworkConfig

    text = (FOLDERS[0] / "text.txt").read_bytes()
    every_block = {"level": "custom", "network_min_bytes": 0, "single_stream_below": 0}
    jobs = {
        "text.default-64.tz": LEVELS["default"].replace(**every_block, min_segment=256),
        "text.max-network.tz": LEVELS["max"].replace(**every_block, network=NetworkConfig(
            kind=EXACT_LSTM, embedding=16, hidden=32, bptt=10, learning_rate=0.005)),
        "text.three-streams.tz": LEVELS["fast"].replace(**every_block, streams=3, min_segment=1024, seed=5,
                                                        network=NetworkConfig(kind=EXACT_LSTM, embedding=8,
                                                                              hidden=12, bptt=3)),
    }
    data = text[:20_001]
    entries = []
    for name, config in jobs.items():
        (folder / name).write_bytes(compress(data, config=config))
        entries.append({"file": name, "original_sha256": hashlib.sha256(data).hexdigest()})
    (folder / "manifest.json").write_text(json.dumps({"files": entries}))
    return entries


def test_every_file_decodes_alike_under_a_generic_cpu_target(tmp_path):
    """Under another CPU target (GENERIC_TARGET), in a fresh process: every machine-independent
    golden file of every release decodes byte for byte, and so do files the exact network coded
    here on the host's target; a file of 0.6's PyTorch network is refused before decoding, naming
    what differs (never decoded to wrong bytes)."""
    fresh = [(tmp_path, entry) for entry in _exact_network_files(tmp_path)]
    decoded = decode_in_fresh_process([*FOLDERS, tmp_path], **GENERIC_TARGET)
    assert failures(MACHINE_INDEPENDENT + fresh, decoded) == []
    for folder, entry in ENTRIES:
        if entry["machine_dependent"]:
            outcome = decoded[str(folder)][entry["file"]]
            assert outcome.startswith("error: ") and "cpu_capability" in outcome and "mkl_cbwr" in outcome, outcome


def test_a_golden_file_that_stops_decoding_fails_the_check(tmp_path):
    """The checks above cannot pass vacuously: a committed file that no longer decodes to its
    original (here 0.6.0's binary.fast.tz relabelled as max, its CRC made good, as a change to what a
    level means would leave it) is reported with the decoder's error."""
    from tests.golden.decode import decode_folder

    folder, entry = next((f, e) for f, e in ENTRIES if f.name == "0.6.0" and e["file"] == "binary.fast.tz")
    blob = bytearray((folder / entry["file"]).read_bytes())
    assert blob[5] == 2 * 0 + 1  # the metadata field: NAMED_METADATA[0], fast
    blob[5] = 2 * 2 + 1  # NAMED_METADATA[2], max
    blob[-4:] = zlib.crc32(bytes(blob[:-4])).to_bytes(4, "little")
    (tmp_path / entry["file"]).write_bytes(bytes(blob))
    (tmp_path / "manifest.json").write_text(json.dumps({"files": [entry]}))
    reported = failures([(tmp_path, entry)], {str(tmp_path): decode_folder(tmp_path)})
    assert len(reported) == 1 and "error: decoded data does not match" in reported[0]


@pytest.mark.parametrize("folder, entry", MACHINE_INDEPENDENT, ids=_ids(MACHINE_INDEPENDENT))
def test_recorded_settings_still_encode_to_the_golden_bytes(folder, entry):
    """The encoder, given the settings a golden file records, writes that file again, byte for byte
    (one code path: if the encoder drifted, so would the decoder). A file of an older format
    version is written again in the current envelope, around the very same blocks."""
    blob = (folder / entry["file"]).read_bytes()
    original = (folder / entry["original"]).read_bytes()
    recorded = unpack(blob)
    again = compress(original, config=read_settings(recorded))
    if recorded.format_version == FORMAT_VERSION:
        assert again == blob
    else:
        rewritten = unpack(again)
        assert [(b.original_length, b.payload, b.stored) for b in rewritten.blocks] == \
            [(b.original_length, b.payload, b.stored) for b in recorded.blocks]
        assert (rewritten.metadata, rewritten.original_digest) == (recorded.metadata, recorded.original_digest)
