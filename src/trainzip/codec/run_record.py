"""The JSON run record of a compress or decompress run (schema trainzip.run/1, shared with the meter)."""

from __future__ import annotations

from trainzip.codec.driver import CodingReport
from trainzip.record_format import RECORD_FORMAT


def chunk_size_for(length: int, max_chunks: int = 256) -> int:
    """A power-of-two chunk size (at least 256 bytes) giving at most ``max_chunks`` chunks."""
    size = 256
    while size * max_chunks < length:
        size *= 2
    return size


def codec_record(report: CodingReport, *, kind: str, file: str) -> dict:
    """The figures of a run, with the code length of each chunk of the input in order."""
    chunk_bytes = chunk_size_for(report.original_bytes)
    chunk_bits = report.chunk_bits(chunk_bytes).tolist() if report.original_bytes else []
    steps = []
    for index, bits in enumerate(chunk_bits):
        samples = min(chunk_bytes, report.original_bytes - index * chunk_bytes)
        steps.append({"step": index, "samples": samples, "bits": bits, "uniform_bits": 8.0 * samples})
    return {
        "format": RECORD_FORMAT,
        "kind": kind,
        "unit": "bits",
        "symbol": "byte",
        "file": file,
        "level": report.config.level,
        "input_bytes": report.original_bytes if kind == "compress" else report.compressed_bytes,
        "output_bytes": report.compressed_bytes if kind == "compress" else report.original_bytes,
        "original_bytes": report.original_bytes,
        "compressed_bytes": report.compressed_bytes,
        "bits_per_byte": report.bits_per_byte,
        "seconds": report.seconds,
        "bytes_per_second": report.bytes_per_second,
        "ideal_bits": report.ideal_bits,
        "chunk_bytes": chunk_bytes,
        "chunk_bits": chunk_bits,
        "steps": steps,
        "totals": {
            "samples": report.original_bytes,
            "bits": report.ideal_bits,
            "uniform_bits": 8.0 * report.original_bytes,
            "final_model_bits": None,
            "regret_bits": None,
            "absorbed_bits": None,
        },
        "settings": report.config.to_dict(),
    }
