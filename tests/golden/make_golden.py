"""Write the golden files of the current format version, from the code as it stands, on purpose only:

    python tests/golden/make_golden.py [RELEASE]

RELEASE names the folder: the release that will ship the current format version (default: the
package's version).

Each release that changes a bitstream writes a folder named by its release (trainzip.__version__). Golden files pin
every level's bitstream on inputs large enough that every component of the
model works (the network joins at 64 KiB), and on a small binary. They are never regenerated:
a file once committed must decode, byte for byte, with every later release (docs/format.md).
A change that alters a bitstream adds a new folder, never replaces one; this script refuses to
overwrite anything.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "canterbury"
TEXT_BYTES = 96 * 1024  # above 64 KiB, where default's network joins and its streams split
BINARY_BYTES = 8 * 1024


def _inputs() -> dict[str, bytes]:
    """The golden inputs: a text, a binary, and a mixed one with an incompressible tail."""
    text = (CORPUS / "alice29.txt").read_bytes()[:TEXT_BYTES]
    binary = (CORPUS / "sum").read_bytes()[:BINARY_BYTES]
    noise = np.random.default_rng(2026).integers(0, 256, 4096, dtype=np.uint8).tobytes()
    frames = text[:20_000] + np.random.default_rng(2027).integers(0, 256, 20_000, dtype=np.uint8).tobytes() + \
        text[20_000:30_000]
    return {"text.txt": text, "binary.bin": binary, "mixed.bin": text[:30_000] + noise, "frames.bin": frames}


def _custom_config():
    """A custom setting: more streams than the size would pick, two blocks (the second one stored,
    noise), a seed, probability and run inputs with a few contexts and mixers, and (from 0.7.0) a
    small exact network on every block."""
    from trainzip.codec.settings import CodecConfig
    from trainzip.models.context_mixing import ContextMixingConfig
    from trainzip.models.network.config import EXACT_LSTM, NetworkConfig

    return CodecConfig(level="custom", streams=3, min_segment=1024, seed=11, block_size=30_000,
                       single_stream_below=0, network_min_bytes=0,
                       network=NetworkConfig(kind=EXACT_LSTM, embedding=8, hidden=12, bptt=5, learning_rate=0.02),
                       context_mixing=ContextMixingConfig(contexts=30, mixers=9, sse_stages=4, table_bits=18,
                                                          match_bits=16, probability_inputs=True,
                                                          run_inputs=True, counter_limit=200))


def _frames_config():
    """Three frames of format version 7: a coded one, a stored one (noise), and a coded last one."""
    from trainzip.codec.presets import preset

    return preset("fast").replace(level="custom", block_size=20_000)


def main(release: str) -> None:
    from trainzip.codec import compress
    from trainzip.container import FORMAT_VERSION, unpack
    from trainzip.codec.presets import preset

    folder = HERE / release
    if folder.exists():
        sys.exit(f"{folder} exists: golden files are never regenerated (a new release gets a new folder)")
    folder.mkdir()
    inputs = _inputs()
    entries = []
    jobs = [(name, level, preset(level)) for name in ("text.txt", "binary.bin") for level in ("fast", "default", "max")]
    jobs.append(("mixed.bin", "custom", _custom_config()))
    jobs.append(("frames.bin", "custom", _frames_config()))
    for name, label, config in jobs:
        blob = compress(inputs[name], config=config)
        target = f"{name.split('.')[0]}.{label}.tz"
        (folder / target).write_bytes(blob)
        entries.append({"file": target, "original": name, "level": label, "bytes": len(blob),
                        "original_bytes": len(inputs[name]),
                        "original_sha256": hashlib.sha256(inputs[name]).hexdigest(),
                        "sha256": hashlib.sha256(blob).hexdigest(),
                        "machine_dependent": "fingerprint" in unpack(blob).metadata})
        print(f"{target}: {len(inputs[name]):,} -> {len(blob):,} bytes")
    for name, data in inputs.items():
        (folder / name).write_bytes(data)
    manifest = {"release": release, "format_version": FORMAT_VERSION, "files": entries}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from trainzip import __version__

    main(sys.argv[1] if len(sys.argv) > 1 else __version__)
