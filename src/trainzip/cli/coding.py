"""Each direction's coding as one function from an input to an output, for every command that codes.

`compress_into` and `decompress_into` read a `Source`, code it, and write the result to an output
opened by the caller (`trainzip.cli.outputs`), which commits it or removes it. They read the
whole input and write the whole result today; a streaming driver that codes block by block can
take their place without any command changing. Errors from the codec come out naming the input.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from trainzip.cli.inputs import Source
from trainzip.errors import TrainzipError

ProgressFactory = Callable[[int, str], contextlib.AbstractContextManager]
"""(total bytes, 'compress' or 'decompress') -> a context yielding a callback (bytes done, bits so far)."""


@contextlib.contextmanager
def naming(name: str):
    """Prefix an error that does not name its file with ``name`` (gzip's "FILE: not in gzip format")."""
    try:
        yield
    except TrainzipError as error:
        message = str(error)
        if message.startswith(f"{name}: "):
            raise
        raise type(error)(f"{name}: {message}") from None


def level_config(level: str, **overrides):
    """A level's settings with any of its recorded settings changed (None: the level's own)."""
    from trainzip.codec.presets import preset

    return preset(level).replace(**{key: value for key, value in overrides.items() if value is not None})


def compress_into(source: Source, output, *, config, progress: ProgressFactory, verify: bool = False):
    """Compress ``source`` into ``output`` with the settings ``config``; returns the CodingReport.

    ``verify``: decode the result in memory first and refuse it if it does not give the input back.
    """
    data = source.read()
    from trainzip.codec import compress_with_report, decompress  # the codec only where something is coded

    with naming(source.name), progress(len(data), "compress") as callback:
        blob, report = compress_with_report(data, config=config, progress=callback)
    if verify and decompress(blob) != data:
        raise TrainzipError(f"{source.name}: verification failed: the compressed file does not decode to the input")
    output.write(blob)
    return report


def decompress_into(source: Source, output, *, progress: ProgressFactory, ignore_fingerprint: bool = False):
    """Decompress the .tz file ``source`` into ``output`` (checked against its recorded checksum
    before anything is written); returns the CodingReport."""
    blob = source.read()
    from trainzip.container import unpack

    with naming(source.name):
        container = unpack(blob)  # a foreign, truncated or corrupt file fails here, before the codec loads
        from trainzip.codec import decompress_container

        with progress(container.original_length, "decompress") as callback:
            data, report = decompress_container(container, len(blob), progress=callback,
                                                ignore_fingerprint=ignore_fingerprint)
    output.write(data)
    return report
