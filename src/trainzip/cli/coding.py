"""Each direction's coding as one function from an input to an output, for every command that codes.

`compress_into` and `decompress_into` read a `Source` block by block, code the blocks here, on a
pool of workers or on a Ray cluster, and write each result to an output opened by the caller
(`trainzip.cli.outputs`), which commits it or removes it: memory is bounded by the blocks in
flight, whatever the input's size. Errors from the codec come out naming the input.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable

from trainzip.cli.inputs import Source
from trainzip.cli.outputs import OutputError, Spool
from trainzip.errors import TrainzipError
from trainzip.memory_limit import DEFAULT_LIMIT_BYTES

ProgressFactory = Callable[[int | None, str], contextlib.AbstractContextManager]
"""(total bytes or None, 'compress' or 'decompress') -> a context yielding a callback (bytes done,
bits so far) with `set_total` for a length learned on the way."""


@contextlib.contextmanager
def naming(name: str):
    """Prefix an error that does not name its file with ``name`` (gzip's "FILE: not in gzip format");
    an output's own errors name the output. Running out of memory is named too (NumPy's own error
    would be a traceback)."""
    try:
        yield
    except MemoryError:
        raise TrainzipError(f"{name}: not enough memory to code it with its settings") from None
    except TrainzipError as error:
        message = str(error)
        if message.startswith(f"{name}: ") or isinstance(error, OutputError):
            raise
        raise type(error)(f"{name}: {message}") from None


def level_config(level: str, **overrides):
    """A level's settings with any of its recorded settings changed (None: the level's own)."""
    from trainzip.codec.presets import preset

    return preset(level).replace(**{key: value for key, value in overrides.items() if value is not None})


class _Discard:
    """A sink that only counts (verification decodes into it)."""

    def write(self, data: bytes) -> int:
        return len(data)


def compress_into(source: Source, output, *, config, progress: ProgressFactory, verify: bool = False,
                  workers: int | None = None, ray_address: str | None = None):
    """Compress ``source`` into ``output`` with the settings ``config``, block by block; returns the
    CodingReport. ``verify``: decode the result first, and refuse it if it does not give the input
    back (the compressed file waits in a temporary file until then)."""
    from trainzip.codec import compress_stream, decompress_stream  # the codec only where something is coded
    from trainzip.engine import make_executor
    from trainzip.large_buffers import return_large_buffers_to_the_system

    return_large_buffers_to_the_system()  # blocks read, coded and written one after another

    with source.reader() as stream, naming(source.name), make_executor(workers=workers, ray_address=ray_address) as \
            executor:
        with progress(source.size(), "compress") as callback, contextlib.ExitStack() as spool_stack:
            sink = spool_stack.enter_context(Spool(output.name)) if verify else output
            report = compress_stream(stream, sink, config, executor=executor, progress=callback)
            if verify:
                sink.rewind()
                try:
                    decompress_stream(sink, _Discard(), executor=executor, memory_limit=None)  # coding needed as much
                except TrainzipError as error:
                    raise TrainzipError(f"verification failed: the compressed file does not decode to the input "
                                        f"({error})") from None
                sink.rewind()
                shutil.copyfileobj(sink, output)
    return report


def decompress_into(source: Source, output, *, progress: ProgressFactory, workers: int | None = None,
                    ray_address: str | None = None, memory_limit: int | None = DEFAULT_LIMIT_BYTES):
    """Decompress the .tz file ``source`` into ``output``, block by block, each block checked against
    its recorded checksum before it is written (the whole against the original's at the end), and
    against ``memory_limit`` before it is decoded; returns the CodingReport."""
    from trainzip.codec import decompress_stream
    from trainzip.engine import make_executor
    from trainzip.large_buffers import return_large_buffers_to_the_system

    return_large_buffers_to_the_system()

    with source.reader() as stream, naming(source.name), make_executor(workers=workers, ray_address=ray_address) as \
            executor, progress(None, "decompress") as callback:
        return decompress_stream(stream, output, executor=executor, progress=callback,
                                 on_length=callback.set_total, memory_limit=memory_limit)
