"""Decode golden files in this process and print what came out, as JSON: {file: sha256 or error}.

    python -m tests.golden.decode FOLDER [FOLDER ...]

Run by the suite in a fresh process (optionally under other CPU targets, see test_golden_files),
so a decoder that only agrees with an encoder living in the same process cannot pass.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path


def decode_folder(folder: Path) -> dict[str, str]:
    """Each golden file of ``folder``'s manifest, decoded: the SHA-256 of the output, or the error."""
    from trainzip.codec import decompress
    from trainzip.errors import TrainzipError

    results = {}
    for entry in json.loads((folder / "manifest.json").read_text())["files"]:
        try:
            results[entry["file"]] = hashlib.sha256(decompress((folder / entry["file"]).read_bytes())).hexdigest()
        except TrainzipError as error:
            results[entry["file"]] = f"error: {error}"
    return results


def main(folders: list[str]) -> None:
    print(json.dumps({folder: decode_folder(Path(folder)) for folder in folders}))


if __name__ == "__main__":
    main(sys.argv[1:])
