"""Keep Numba's on-disk cache of the byte codec's kernels in step with all of their sources.

Numba checks only the file a cached kernel is defined in: a kernel that inlines a helper or reads
a constant from another file keeps its old machine code when only that file changes (a documented
limit of its cache). The codec's kernels span several files, so before any of them runs, a digest
of all their sources is compared with the one stamped beside the cache; on a difference the
cached code of those files is dropped, and Numba compiles afresh.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
KERNEL_PACKAGES = ("models/context_mixing", "models/exact_network")  # every module in these is a kernel source
# and every other module the kernels' modules import (tests/test_house.py checks the list is whole)
KERNEL_MODULES = ("jit.py", "settings_fields.py", "coding/bit_channel.py", "coding/quantize.py", "models/logistic.py",
                  "models/network/config.py", "codec/bit_loop.py", "codec/network_loop.py")


def kernel_sources() -> list[Path]:
    """Every file the codec's kernels are built from, in a fixed order."""
    files = [PACKAGE / name for name in KERNEL_MODULES]
    for package in KERNEL_PACKAGES:
        files += sorted((PACKAGE / package).glob("*.py"))
    return files
STAMP = "trainzip-kernels.sha256"


def sources_digest(sources: list[Path]) -> str:
    """SHA-256 over the sources, in order."""
    digest = hashlib.sha256()
    for source in sources:
        digest.update(source.read_bytes())
    return digest.hexdigest()


def refresh(sources: list[Path] | None = None) -> list[Path]:
    """Drop the cached kernels of ``sources`` wherever the stamped digest is not theirs; returns the
    files removed. A read-only install is left as it is (Numba then caches elsewhere)."""
    sources = sources or kernel_sources()
    digest = sources_digest(sources)
    removed = []
    for folder in sorted({source.parent for source in sources}):
        cache = folder / "__pycache__"
        stamp = cache / STAMP
        try:
            if stamp.exists() and stamp.read_text() == digest:
                continue
            for source in sources:
                if source.parent == folder:
                    for pattern in (f"{source.stem}.*.nbi", f"{source.stem}.*.nbc"):
                        for cached in cache.glob(pattern):
                            cached.unlink(missing_ok=True)
                            removed.append(cached)
            cache.mkdir(exist_ok=True)
            stamp.write_text(digest)
        except OSError:
            continue
    return removed
