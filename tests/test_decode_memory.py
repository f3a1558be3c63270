"""The decoder's memory limit (issue 25): what a block needs is computed from the settings exactly as
it is allocated, the default lets every level of every release decode, a header that asks for more is
refused before anything is allocated, and a user can raise or lower the limit."""

from __future__ import annotations

import io
import tracemalloc

import numpy as np
import pytest

from tests.hostile_files import CASES, run_measured
from tests.text_samples import words
from trainzip.cli import main
from trainzip.codec import compress, decompress_stream
from trainzip.codec.decode_memory import block_bytes
from trainzip.codec.presets import HISTORY, preset
from trainzip.errors import MemoryLimitError, TrainzipError
from trainzip.memory_limit import DEFAULT_LIMIT_BYTES, GiB, MiB, parse_size, resolve_limit
from trainzip.models.context_mixing import ContextMixingConfig, ContextMixingModel
from trainzip.models.context_mixing.state import model_bytes
from trainzip.models.exact_network.arrays import array_bytes, build_arrays
from trainzip.models.network.config import EXACT_LSTM, NetworkConfig

EVERY_FEATURE = ContextMixingConfig(contexts=48, mixers=12, sse_stages=5, probability_inputs=True, run_inputs=True,
                                    table_bits=12, match_bits=11)


@pytest.mark.parametrize("config", [entry.config.context_mixing for entry in HISTORY] + [EVERY_FEATURE],
                         ids=[f"{entry.name}.{entry.revision}" for entry in HISTORY] + ["every-feature"])
@pytest.mark.parametrize("length, neural_inputs", [(1, False), (5_000, True), (300_000, False)])
def test_the_count_models_bytes_are_what_it_allocates(config, length, neural_inputs):
    """`model_bytes`, computed from the settings alone, equals the nbytes of every table and stream
    array a model of them allocates (small tables where a level's would be gigabytes)."""
    streams = 3
    model = ContextMixingModel(config, np.zeros(length, np.uint8), streams, -(-length // streams), neural_inputs)
    allocated = model.tables.nbytes + sum(array.nbytes for array in model.streams)
    assert model_bytes(config, length, streams, neural_inputs) == allocated


@pytest.mark.parametrize("embedding, hidden, bptt, streams", [(16, 64, 4, 64), (8, 12, 3, 3), (32, 128, 16, 1)])
def test_the_networks_bytes_are_what_it_allocates(embedding, hidden, bptt, streams):
    """`array_bytes` equals what `build_arrays` allocates, views counted once."""
    config = NetworkConfig(kind=EXACT_LSTM, embedding=embedding, hidden=hidden, bptt=bptt)
    arrays = build_arrays(config, streams, seed=0)
    assert array_bytes(config, streams) == sum(array.nbytes for array in arrays if array.base is None)


def test_the_default_limit_lets_every_level_of_every_release_decode_with_a_margin():
    """Every revision of every level, at its own block size with a payload as long as the block (more
    than any coded one), needs at most 1/1.2 of the default limit."""
    for entry in HISTORY:
        need = block_bytes(entry.config, entry.config.block_size, entry.config.block_size)
        assert need * 1.2 <= DEFAULT_LIMIT_BYTES, (entry.name, entry.revision, need / GiB)
    assert DEFAULT_LIMIT_BYTES == 3 * GiB  # what --help and the docs say


def test_a_header_asking_for_gigabytes_is_refused_before_anything_is_allocated():
    """The 8 KB file of issue 25 (48 contexts of 2**24 counters for a 1 GiB block) is refused with the
    need and the option, having allocated under 10 MB (NumPy's buffers are traced)."""
    blob = CASES["8KB-asks-4.5GiB"].build()
    assert len(blob) < 8500
    tracemalloc.start()
    try:
        with pytest.raises(MemoryLimitError, match=r"needs 4\.5 GiB of memory, over the limit of 3\.0 GiB.*"
                                                   r"--memlimit 4\.5GiB \(or TRAINZIP_MEMLIMIT\)"):
            decompress_stream(io.BytesIO(blob), io.BytesIO())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10 * MiB


def test_the_limit_is_the_users_to_lower_or_lift(tmp_path, capsys, monkeypatch):
    """--memlimit and TRAINZIP_MEMLIMIT lower the limit (a fast file refused under 100 MiB, naming
    it) or lift it ('max'); the option wins over the variable."""
    (tmp_path / "a.tz").write_bytes(compress(b"a file any limit above its process lets through\n" * 20, level="fast"))
    assert main(["-t", "--memlimit", "100MiB", str(tmp_path / "a.tz")]) == 1
    assert "over the limit of 100.0 MiB" in capsys.readouterr().err
    monkeypatch.setenv("TRAINZIP_MEMLIMIT", "100M")
    assert main(["decompress", "-f", str(tmp_path / "a.tz")]) == 1
    assert "--memlimit 180.6MiB" in capsys.readouterr().err  # the need, rounded up, as the option to give
    assert main(["decompress", "-f", "--memlimit", "max", str(tmp_path / "a.tz")]) == 0
    assert (tmp_path / "a").read_bytes().startswith(b"a file")


@pytest.mark.parametrize("text, size", [("3GiB", 3 * GiB), ("500M", 500 * MiB), ("500MB", 500_000_000),
                                        ("1.5g", 3 * GiB // 2), ("2000000000", 2_000_000_000), (" max ", None)])
def test_sizes_are_read_as_xz_reads_them(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "0", "-1", "3 furlongs", "GiB", "1e9"])
def test_a_size_that_is_not_one_is_refused_naming_it(text):
    with pytest.raises(TrainzipError, match="memory limit"):
        parse_size(text)


def test_a_bad_variable_is_named(monkeypatch):
    monkeypatch.setenv("TRAINZIP_MEMLIMIT", "lots")
    with pytest.raises(TrainzipError, match="^TRAINZIP_MEMLIMIT: memory limit 'lots'"):
        resolve_limit(None)


def test_the_prediction_is_within_a_tenth_of_a_real_decoders_peak(tmp_path):
    """A fresh process decoding 300 kB at fast (tables at their full size) peaks within 10% of what
    the header predicts (bench/decode_memory.py measures every level, and larger inputs)."""
    text = words(300_000)  # varied enough that its contexts reach every page of the tables
    blob = compress(text, level="fast")
    (tmp_path / "a.tz").write_bytes(blob)
    from trainzip.container import unpack

    block = unpack(blob).blocks[0]
    predicted_mb = block_bytes(preset("fast"), block.original_length, len(block.payload)) / MiB
    run_measured(["decompress", "-q", "-f", "-T", "1", "a.tz"], tmp_path)  # its kernels compiled and cached, if not yet
    code, error, peak_mb, _ = run_measured(["decompress", "-q", "-f", "-T", "1", "a.tz"], tmp_path)
    assert code == 0, error
    assert abs(predicted_mb / peak_mb - 1) < 0.10, (predicted_mb, peak_mb)
