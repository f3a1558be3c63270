"""The scale benchmark's measured runs: a peer's threaded round trip is checked and logged in the same
row as trainzip's, and a command that fails says so with its own error."""

from __future__ import annotations

import shutil

import pytest

from bench.scale_measure import PEERS, peer_round_trip, run_command


@pytest.mark.parametrize("peer", sorted(PEERS))
def test_a_peers_round_trip_is_a_row_like_trainzips(peer, tmp_path):
    """The peer's name stands for the level and its threads for the workers; the files are checked
    byte for byte and removed."""
    if shutil.which(peer.split()[0]) is None:
        pytest.skip(f"{peer.split()[0]} is not installed here")
    source = tmp_path / "input.txt"
    source.write_bytes(b"what a second core buys, in bits and seconds\n" * 2000)
    row = peer_round_trip(peer, source, tmp_path, threads=2)
    assert row["level"] == peer and row["workers"] == 2 and row["input_bytes"] == source.stat().st_size
    assert 0 < row["compressed_bytes"] < row["input_bytes"] // 10
    assert row["compress_kB_per_s"] > 0 and row["decompress_wall_s"] > 0
    assert sorted(path.name for path in tmp_path.iterdir()) == ["input.txt"]


def test_a_failing_command_raises_with_its_error():
    """A benchmark never records a run that failed, and says why it did not."""
    with pytest.raises(RuntimeError, match="no such option"):
        run_command(["sh", "-c", "echo 'no such option' >&2; exit 2"])
