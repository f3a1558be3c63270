"""Compress or decompress one input to one output, streamed block by block: what the coding
subcommands call, whatever their front end (a path or '-' on each side).

Memory is bounded by the executor's workers and blocks in flight, not by the input's size. A file
output appears only once complete and checked; stdout gets each block as soon as it is checked.
"""

from __future__ import annotations

from trainzip.cli.files import atomic_output, open_input
from trainzip.cli.progress import byte_progress
from trainzip.errors import TrainzipError


class _Discard:
    """A sink that only counts (verification decodes into it)."""

    def write(self, data: bytes) -> int:
        return len(data)


def compress_file(input_path: str, output_path: str, config, *, workers: int | None = None,
                  ray_address: str | None = None, force: bool = False, quiet: bool = False, verify: bool = False):
    """Compress ``input_path`` into ``output_path`` with ``config``; returns the CodingReport.

    ``verify``: decode the result before it is published (to stdout: kept aside until then).
    """
    from trainzip.codec import compress_stream, decompress_stream
    from trainzip.engine import make_executor

    with open_input(input_path) as (source, size), atomic_output(output_path, force, spool=verify) as sink, \
            make_executor(workers=workers, ray_address=ray_address) as executor:
        with byte_progress(size, "compress", quiet) as progress:
            report = compress_stream(source, sink, config, executor=executor, progress=progress)
        if verify:
            sink.flush()
            sink.seek(0)
            try:
                decompress_stream(sink, _Discard(), executor=executor)
            except TrainzipError as error:
                raise TrainzipError(f"verification failed: the compressed file does not decode to the input "
                                    f"({error})") from None
    return report


def decompress_file(input_path: str, output_path: str, *, workers: int | None = None, ray_address: str | None = None,
                    force: bool = False, quiet: bool = False, ignore_fingerprint: bool = False):
    """Decompress ``input_path`` into ``output_path``; returns the CodingReport."""
    from trainzip.codec import decompress_stream
    from trainzip.engine import make_executor

    with open_input(input_path) as (source, _), atomic_output(output_path, force) as sink, \
            make_executor(workers=workers, ray_address=ray_address) as executor, \
            byte_progress(None, "decompress", quiet) as progress:
        return decompress_stream(source, sink, executor=executor, progress=progress,
                                 ignore_fingerprint=ignore_fingerprint, on_length=progress.set_total)
