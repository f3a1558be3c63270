"""The five bytes that open every .tz file, the magic and the format version, and which versions this
release reads: the floor that `layout`, `frames` and `layout_v6` all stand on."""

from __future__ import annotations

from trainzip.errors import FormatError, VersionError

MAGIC = b"\x89TZP"
FORMAT_VERSION = 7
SUPPORTED_VERSIONS = (6, 7)
# format version: the releases that read it
RETIRED_VERSIONS = {1: "0.1.x", 2: "0.2.x", 3: "0.3.x", 4: "0.4.x", 5: "0.5.x"}


def read_version(data: bytes) -> int:
    """Check the magic bytes (the first 5 bytes of ``data``) and return the format version."""
    head = bytes(data[:len(MAGIC) + 1])
    if not head:
        raise FormatError("not a trainzip file (it is empty)")
    if not head.startswith(MAGIC):
        if MAGIC.startswith(head):
            raise FormatError("truncated file: it ends inside the magic bytes")
        raise FormatError("not a trainzip file (wrong magic bytes)")
    if len(head) == len(MAGIC):
        raise FormatError("truncated file: it ends before the format version")
    version = head[len(MAGIC)]
    if version in RETIRED_VERSIONS:
        raise VersionError(f"format version {version} was written by trainzip {RETIRED_VERSIONS[version]}, whose "
                           f"model this release no longer has; decode it with that release")
    if version not in SUPPORTED_VERSIONS:
        raise VersionError(f"unsupported format version {version} (this trainzip reads version "
                           f"{', '.join(map(str, SUPPORTED_VERSIONS))})")
    return version
