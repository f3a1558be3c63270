"""The scale benchmark's log and report: a finished round trip is kept at once, a resumed run takes
it instead of running it again, and the report's ratios come from the right runs."""

from __future__ import annotations

import json

import pytest

from bench.scale_log import RunLog, SizeCostLog
from bench.scale_report import memory_rows, speedup_rows, write_markdown

KIND = "test input"


def _round_trip(workers: int, size: int, *, compress_kB_per_s: float, peak_mib: float = 100.0) -> dict:
    return {"level": "fast", "input_bytes": size, "workers": workers, "block_size": None,
            "compressed_bytes": size // 8, "sitting": "s", "compress_wall_s": size / compress_kB_per_s / 1000,
            "decompress_wall_s": size / compress_kB_per_s / 1000, "compress_kB_per_s": compress_kB_per_s,
            "decompress_kB_per_s": compress_kB_per_s, "compress_peak_tree_mib": peak_mib,
            "decompress_peak_tree_mib": peak_mib - 1}


def test_a_round_trip_is_logged_the_moment_it_finishes(tmp_path):
    """The line is on disk before measure returns, with what the report needs to judge the timing."""
    path = tmp_path / "runs.jsonl"
    log = RunLog(path, resume=False)
    row = log.measure(("fast", 1000, 1, None, KIND), lambda: _round_trip(1, 1000, compress_kB_per_s=10))
    (logged,) = [json.loads(line) for line in path.read_text().splitlines()]
    assert logged == row
    assert logged["input_kind"] == KIND and logged["load_average_before"] >= 0 and logged["cpus"] >= 1


def test_resume_takes_logged_runs_and_runs_only_what_is_missing(tmp_path):
    """An hours-long round trip is never repeated by a resumed run; repeats beyond the log do run."""
    path = tmp_path / "runs.jsonl"
    key = ("fast", 1000, 1, None, KIND)
    RunLog(path, resume=False).measure(key, lambda: _round_trip(1, 1000, compress_kB_per_s=10))

    def must_not_run():
        raise AssertionError("a logged round trip ran again")

    resumed = RunLog(path, resume=True)
    assert resumed.measure(key, must_not_run)["compress_kB_per_s"] == 10
    # a second repeat of the same key is not in the log: it runs, and is logged beside the first
    assert resumed.measure(key, lambda: _round_trip(1, 1000, compress_kB_per_s=12), occurrence=1)[
        "compress_kB_per_s"] == 12
    assert len(RunLog(path, resume=True).recorded(key)) == 2
    # without --resume every round trip runs again
    assert RunLog(path, resume=False).measure(key, lambda: _round_trip(1, 1000, compress_kB_per_s=14))[
        "compress_kB_per_s"] == 14


def test_parts_run_side_by_side_each_report_the_others_runs(tmp_path):
    """Two parts started on one log (hours each, in two shells) both append to it; the report each
    writes at its end, and a resumed run, see every run on disk, not the log as it was at start."""
    runs, costs = tmp_path / "runs.jsonl", tmp_path / "size_cost.jsonl"
    first, second = RunLog(runs, resume=True), RunLog(runs, resume=True)
    first_costs, second_costs = SizeCostLog(costs), SizeCostLog(costs)
    first.measure(("fast", 1000, 1, None, KIND), lambda: _round_trip(1, 1000, compress_kB_per_s=10))
    second.measure(("fast", 2000, 1, None, KIND), lambda: _round_trip(1, 2000, compress_kB_per_s=20))
    assert [row["input_bytes"] for row in first.rows] == [1000, 2000]
    assert second.recorded(("fast", 1000, 1, None, KIND))  # a resume in the second part would skip it
    row = {"level": "fast", "file": "enwik6", "input_bytes": 10, "block_size": 4, "blocks": 3, "bytes": 9,
           "one_block_bytes": 8, "cost_percent": 12.5}
    first_costs.add([row])
    second_costs.add([dict(row, level="default")])
    assert sorted(r["level"] for r in first_costs.rows) == ["default", "fast"]


def _logged(rows: list[dict]) -> list[dict]:
    return [dict(row, input_kind=KIND) for row in rows]


def test_speed_up_is_two_workers_median_over_one_workers_on_the_same_input():
    """Runs pair by input; an input measured with one worker count only gives no ratio."""
    runs = _logged([_round_trip(1, 1000, compress_kB_per_s=10), _round_trip(1, 1000, compress_kB_per_s=30),
                    _round_trip(1, 1000, compress_kB_per_s=11), _round_trip(2, 1000, compress_kB_per_s=38),
                    _round_trip(2, 5000, compress_kB_per_s=99)])  # no 1-worker run of 5000 bytes: no ratio
    (row,) = speedup_rows(runs)
    assert row["input_bytes"] == 1000 and row["runs"] == (3, 1)
    assert row["compress_1w"] == 11 and row["compress_speedup"] == pytest.approx(38 / 11)


def test_memory_compares_one_worker_at_the_smallest_and_largest_input():
    """Memory against input size is judged with one worker at both ends, each run's larger direction."""
    runs = _logged([_round_trip(1, 1000, compress_kB_per_s=1, peak_mib=300),
                    _round_trip(1, 100_000, compress_kB_per_s=1, peak_mib=330),
                    _round_trip(2, 100_000, compress_kB_per_s=1, peak_mib=700)])
    (row,) = memory_rows(runs)
    assert row["small"] == (1000, 300) and row["large"] == (100_000, 330)
    assert row["ratio"] == pytest.approx(1.1) and row["two_workers"] == (100_000, 700)


def test_a_size_cost_measured_again_replaces_the_old_row(tmp_path):
    """Sizes are exact, so a new measurement of the same block size replaces the old, others stay."""
    path = tmp_path / "size_cost.jsonl"
    row = {"level": "fast", "file": "enwik6", "input_bytes": 10, "block_size": 4, "blocks": 3, "bytes": 9,
           "one_block_bytes": 8, "cost_percent": 12.5}
    SizeCostLog(path).add([row, dict(row, block_size=8, blocks=2)])
    SizeCostLog(path).add([dict(row, bytes=10, cost_percent=25.0)])
    rows = SizeCostLog(path).rows
    assert sorted((r["block_size"], r["bytes"]) for r in rows) == [(4, 10), (8, 9)]
    write_markdown([], rows, tmp_path / "scale.md")
    assert "+25.00%" in (tmp_path / "scale.md").read_text()
