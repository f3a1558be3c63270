"""Golden files of every level: committed bitstreams that must decode, byte for byte, forever.

Each folder under tests/golden/ (named by the release that wrote it) was written once by
`tests/golden/make_golden.py` and is never rewritten. A change that alters what a recorded setting decodes to fails
here first.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from trainzip.codec import compress, read_settings
from trainzip.container import FORMAT_VERSION, unpack

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
FOLDERS = sorted((p for p in GOLDEN.iterdir() if (p / "manifest.json").exists()),
                 key=lambda p: tuple(int(part) for part in p.name.split(".")))  # by release
ENTRIES = [(folder, entry) for folder in FOLDERS for entry in json.loads((folder / "manifest.json").read_text())["files"]]


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


def test_golden_files_decode_in_a_fresh_process():
    """Every golden file decodes to its original's exact bytes in a process that encoded nothing."""
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    result = subprocess.run([sys.executable, "-m", "tests.golden.decode", *map(str, FOLDERS)], capture_output=True,
                            text=True, cwd=ROOT, env=env, timeout=900)
    assert result.returncode == 0, result.stderr[-2000:]
    decoded = json.loads(result.stdout)
    for folder, entry in ENTRIES:
        assert decoded[str(folder)][entry["file"]] == entry["original_sha256"], entry["file"]


MACHINE_INDEPENDENT = [(folder, entry) for folder, entry in ENTRIES if not entry["machine_dependent"]]


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
