"""The container's metadata field: a named level's index in one byte, or any record as DEFLATEd JSON.

Part of the format: changing `NAMED_METADATA` or `METADATA_DICTIONARY` changes files' bytes, so it
needs a new format version. Both are shared by versions 6 and 7 (7 changed only the envelope).
"""

from __future__ import annotations

import copy
import json
import zlib

from trainzip.container.fields import FieldReader, varint
from trainzip.errors import FormatError

# The metadata `trainzip compress` writes for each named level, recorded by its index: one byte
# instead of the five a DEFLATEd record costs (0.3% of a 4 kB text's output with max). Append-only,
# like the levels' history (codec/presets.py): a released index never changes what it stands for,
# and a new revision of a level gets the next one (0.7.0: default, revision 2).
NAMED_METADATA = (tuple({"config": {"level": level}, "kind": "bytes"} for level in ("fast", "default", "max"))
                  + ({"config": {"level": "default", "revision": 2}, "kind": "bytes"},))
METADATA_DICTIONARY = (
    b'"cpu_capability":"AVX512","machine":"aarch64","cpu_capability":"DEFAULT","kind":"labels","labels_ver'
    b'sion":1,"num_classes":10,"schedule":{"kind":"doubling"},"deterministic":true,"eval_batch":1024,"freq'
    b'uency_bits":24,"inputs_sha256":"{"config":{"block_size":16777216,"context_mixing":{"contexts":48,"co'
    b'unter_limit":127,"match_bits":22,"match_min":6,"mixer_boost":96,"mixer_decay":256,"mixer_rate":12,"m'
    b'ixers":12,"probability_inputs":false,"run_inputs":false,"sse_share":6,"sse_stages":5,"table_bits":22'
    b'},"level":"custom","min_segment":4096,"network":{"bptt":16,"embedding":32,"gradient_clip":1.0,"hidde'
    b'n":128,"learning_rate":0.01},"network_min_bytes":65536,"seed":0,"single_stream_below":65536,"streams'
    b'":16,"threads":1},"kind":"bytes"}{"config":{"level":"default"},"fingerprint":{"constriction":"0.5.0"'
    b',"cpu_capability":"AVX512","machine":"x86_64","mkl_cbwr":"AUTO","numba":"0.68.1","numpy":"2.4.6","th'
    b'reads":1,"torch":"2.13.0+cpu","trainzip":"0.6.0"},"kind":"bytes"}'
)
MAX_METADATA_BYTES = 1 << 20  # recorded and inflated alike


def _deflate(metadata: dict) -> bytes:
    text = json.dumps(metadata, sort_keys=True, separators=(",", ":")).encode("utf-8")
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, METADATA_DICTIONARY)
    return compressor.compress(text) + compressor.flush()


def _inflate(raw: bytes) -> dict:
    """The record a DEFLATEd field holds; inflating stops at MAX_METADATA_BYTES (a longer record is
    refused, never inflated in full)."""
    try:
        decompressor = zlib.decompressobj(-15, METADATA_DICTIONARY)
        text = decompressor.decompress(raw, MAX_METADATA_BYTES + 1)
        if len(text) > MAX_METADATA_BYTES:
            raise ValueError("metadata too long")
        if not decompressor.eof or decompressor.unused_data:
            raise ValueError("metadata stream incomplete")
        metadata = json.loads(text.decode("utf-8"))
        if not isinstance(metadata, dict):
            raise ValueError("metadata is not an object")
        return metadata
    except (zlib.error, ValueError, RecursionError):
        raise FormatError("corrupt file: the header's settings are not readable") from None


def metadata_field(metadata: dict) -> bytes:
    """A named level's metadata by its index (varint index * 2 + 1); any other, DEFLATEd, after its
    length (varint length * 2)."""
    if metadata in NAMED_METADATA:
        return varint(2 * NAMED_METADATA.index(metadata) + 1)
    deflated = _deflate(metadata)
    return varint(2 * len(deflated)) + deflated


def read_metadata_field(reader: FieldReader) -> int | bytes:
    """The metadata field as it stands: a named level's index, or the DEFLATEd record (turned into
    a dict by `metadata_from_field`)."""
    length_or_index = reader.varint("header length")
    if length_or_index & 1:
        return length_or_index >> 1
    if length_or_index >> 1 > MAX_METADATA_BYTES:
        raise FormatError("corrupt file: implausible header length")
    return reader.take(length_or_index >> 1, "header")


def metadata_from_field(recorded: int | bytes) -> dict:
    """The metadata a field read by `read_metadata_field` stands for (a copy the caller may change)."""
    if isinstance(recorded, bytes):
        return _inflate(recorded)
    if recorded >= len(NAMED_METADATA):
        raise FormatError("corrupt file: the header names settings that do not exist")
    return copy.deepcopy(NAMED_METADATA[recorded])
