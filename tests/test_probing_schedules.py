"""Block schedules of MDL probing: Voita & Titov's fractions and Blier & Ollivier's doubling."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trainzip.probing import SCHEDULES, block_ends, doubling_ends, voita_ends


def test_voita_ends_are_the_paper_fractions_floored():
    """On 1,000 samples the block ends are 0.1%, 0.2%, ... 100% of the data, floored."""
    assert voita_ends(1000) == [1, 2, 4, 8, 16, 32, 62, 125, 250, 500, 1000]


def test_voita_fractions_are_exact_not_float_rounded():
    """6.25% of 1,600 is exactly 100 (the fractions are computed with exact arithmetic)."""
    assert voita_ends(1600)[6] == 100
    assert voita_ends(1797) == [1, 3, 7, 14, 28, 57, 112, 224, 449, 898, 1797]


def test_voita_on_tiny_data_drops_colliding_ends():
    """Fractions that floor to the same end give one block; the first block holds at least one sample."""
    assert voita_ends(3) == [1, 3]
    assert voita_ends(1) == [1]


def test_doubling_ends_start_at_eight_and_double():
    """Blier & Ollivier: blocks end at 8, 16, 32, ... and the last block ends at n."""
    assert doubling_ends(100) == [8, 16, 32, 64, 100]
    assert doubling_ends(64) == [8, 16, 32, 64]
    assert doubling_ends(5) == [5]


def test_unknown_schedule_and_empty_data_are_refused():
    """A schedule name outside voita/doubling, or zero samples, is a ValueError."""
    with pytest.raises(ValueError, match="unknown schedule"):
        block_ends("fibonacci", 10)
    with pytest.raises(ValueError, match="at least one sample"):
        block_ends("voita", 0)


@given(n=st.integers(min_value=1, max_value=200_000), schedule=st.sampled_from(SCHEDULES))
def test_every_schedule_partitions_the_data(n, schedule):
    """Ends increase strictly from >= 1 to exactly n, so the blocks cover every sample once."""
    ends = block_ends(schedule, n)
    assert ends[0] >= 1 and ends[-1] == n
    assert all(b > a for a, b in zip(ends, ends[1:]))


def test_label_streams_take_their_block_ends_from_the_shared_module_not_from_probing():
    """Nothing under labels/ imports probing/: both cut their data with trainzip.block_schedules."""
    from pathlib import Path

    import trainzip
    from trainzip.labels import Schedule

    labels_dir = Path(trainzip.__file__).parent / "labels"
    for path in labels_dir.glob("*.py"):
        assert "trainzip.probing" not in path.read_text(), path.name
    assert Schedule(kind="voita").boundaries(1797) == voita_ends(1797)
    assert Schedule(first=8).boundaries(100) == doubling_ends(100)
