"""The scale benchmark's results as a Markdown page, built from every round trip its log holds
(bench/scale.py appends each one as it finishes; see `scale_log`), so that parts measured in
different sittings land on one page, each row with its date and the machine's load around it."""

from __future__ import annotations

import statistics
from collections import defaultdict
from pathlib import Path


def _group(rows: list[dict], *fields: str) -> dict[tuple, list[dict]]:
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        groups[tuple(row.get(field) for field in fields)].append(row)
    return groups


def _block(size: int | None) -> str:
    return "level's own" if size is None else f"{size:,}"


def _load(row: dict) -> str:
    before, after = row.get("load_average_before"), row.get("load_average_after")
    return "-" if before is None else f"{before:.1f} / {after:.1f}"


def _table(title: str, columns: list[tuple[str, bool]], rows: list[list[str]]) -> list[str]:
    """A Markdown table under a heading; columns are (name, right-aligned) pairs."""
    return [f"## {title}", "", "| " + " | ".join(name for name, _ in columns) + " |",
            "|" + "|".join("---:" if right else "---" for _, right in columns) + "|",
            *("| " + " | ".join(cells) + " |" for cells in rows)]


def runs_table(runs: list[dict]) -> list[str]:
    """Every round trip, as it was measured."""
    columns = [("date", False), ("commit", False), ("level or peer", False), ("input bytes", True),
               ("block size", True), ("workers or threads", True), ("compressed bytes", True), ("compress s", True), ("kB/s", True),
               ("decompress s", True), ("kB/s", True), ("peak tree MiB (c / d)", True), ("load before / after", True)]
    rows = [[r.get("date", "-"), r.get("commit") or "-", r["level"], f"{r['input_bytes']:,}", _block(r["block_size"]),
             str(r["workers"]), f"{r['compressed_bytes']:,}", f"{r['compress_wall_s']:,.1f}",
             f"{r['compress_kB_per_s']:.1f}", f"{r['decompress_wall_s']:,.1f}", f"{r['decompress_kB_per_s']:.1f}",
             f"{r['compress_peak_tree_mib']:,.0f} / {r['decompress_peak_tree_mib']:,.0f}", _load(r)] for r in runs]
    return _table("Round trips (each a fresh `python -m trainzip` process; wall clock, start-up included; every one "
                  "checked byte for byte)", columns, rows)


def speedup_rows(runs: list[dict]) -> list[dict]:
    """2 workers' median throughput over 1 worker's, for every input measured with both in one
    sitting: a ratio only compares runs made side by side, on the machine as it was then."""
    rows = []
    for (level, size, block_size, kind, sitting), group in _group(runs, "level", "input_bytes", "block_size",
                                                                  "input_kind", "sitting").items():
        by_workers = _group(group, "workers")
        if (1,) not in by_workers or (2,) not in by_workers:
            continue
        loads = [r.get("load_average_before") for r in group]
        row = {"level": level, "input_bytes": size, "block_size": block_size, "input_kind": kind, "sitting": sitting,
               "runs": (len(by_workers[(1,)]), len(by_workers[(2,)])),
               "highest_load_before": None if None in loads else max(loads)}
        for direction in ("compress", "decompress"):
            for workers in (1, 2):
                row[f"{direction}_{workers}w"] = statistics.median(r[f"{direction}_kB_per_s"]
                                                                   for r in by_workers[(workers,)])
            row[f"{direction}_speedup"] = row[f"{direction}_2w"] / row[f"{direction}_1w"]
        rows.append(row)
    return rows


def speedup_table(runs: list[dict]) -> list[str]:
    columns = [("sitting", False), ("level or peer", False), ("input bytes", True), ("block size", True), ("runs 1w / 2w", True),
               ("compress 1w", True), ("2w", True), ("speed-up", True), ("decompress 1w", True), ("2w", True),
               ("speed-up", True), ("highest load before a run", True)]
    rows = [[r["sitting"] or "-", r["level"], f"{r['input_bytes']:,}", _block(r["block_size"]),
             f"{r['runs'][0]} / {r['runs'][1]}",
             f"{r['compress_1w']:.1f}", f"{r['compress_2w']:.1f}", f"{r['compress_speedup']:.2f}x",
             f"{r['decompress_1w']:.1f}", f"{r['decompress_2w']:.1f}", f"{r['decompress_speedup']:.2f}x",
             "not recorded" if r["highest_load_before"] is None else f"{r['highest_load_before']:.1f}"]
            for r in speedup_rows(runs)]
    return _table("Throughput, 2 workers (a peer's threads) against 1 (median kB/s of the round trips below)",
                  columns, rows)


def memory_rows(runs: list[dict]) -> list[dict]:
    """Per level and block size: the peak tree memory with 1 worker at the smallest and the largest
    input measured, their ratio, and the peak with 2 workers at the largest input; each from the
    newest run of its size and worker count (memory is a property of the code as it now is)."""
    rows = []
    for (level, block_size, kind), group in _group(runs, "level", "block_size", "input_kind").items():
        newest = {(r["workers"], r["input_bytes"]): r for r in group}  # the log is oldest first
        peak = {key: max(r["compress_peak_tree_mib"], r["decompress_peak_tree_mib"]) for key, r in newest.items()}
        one = sorted(size for workers, size in peak if workers == 1)
        two = sorted(size for workers, size in peak if workers == 2)
        row = {"level": level, "block_size": block_size, "input_kind": kind,
               "small": (one[0], peak[(1, one[0])]) if one else None,
               "large": (one[-1], peak[(1, one[-1])]) if len(one) > 1 else None,
               "two_workers": (two[-1], peak[(2, two[-1])]) if two else None}
        row["ratio"] = row["large"][1] / row["small"][1] if row["large"] else None
        row["commits"] = sorted({newest[key].get("commit") or "-" for key in newest})
        rows.append(row)
    return rows


def memory_table(runs: list[dict]) -> list[str]:
    def cell(pair):
        return "-" if pair is None else f"{pair[1]:,.0f} ({pair[0]:,} B)"

    columns = [("level", False), ("block size", True), ("smallest input, 1 worker", True),
               ("largest input, 1 worker", True), ("largest / smallest", True), ("largest input, 2 workers", True),
               ("commits", False)]
    rows = [[r["level"], _block(r["block_size"]), cell(r["small"]), cell(r["large"]),
             "-" if r["ratio"] is None else f"{r['ratio']:.3f}", cell(r["two_workers"]), ", ".join(r["commits"])]
            for r in memory_rows(runs)]
    return _table("Peak resident memory of the process tree (MiB, the larger of compress and decompress)", columns, rows)


def cost_table(rows: list[dict]) -> list[str]:
    columns = [("level", False), ("file", False), ("input bytes", True), ("block size", True), ("blocks", True),
               ("bytes", True), ("one block", True), ("cost", True)]
    cells = [[r["level"], r["file"], f"{r['input_bytes']:,}", f"{r['block_size']:,}", str(r["blocks"]),
              f"{r['bytes']:,}", f"{r['one_block_bytes']:,}", f"{r['cost_percent']:+.2f}%"] for r in rows]
    return _table("Size cost of the block size against one block", columns, cells)


def write_markdown(runs: list[dict], size_costs: list[dict], path: Path) -> None:
    """Tables of everything measured so far."""
    kinds = sorted({r["input_kind"] for r in runs if r.get("input_kind")})
    lines = ["# Scale benchmark", "", "Written by `python bench/scale.py` from the round trips in `runs.jsonl` and the "
             "sizes in `size_cost.jsonl`, every run there so far. Inputs: " + ("; ".join(kinds) or "-") + ".", ""]
    if runs:
        lines += speedup_table(runs) + [""] + memory_table(runs) + [""] + runs_table(runs) + [""]
    if size_costs:
        lines += cost_table(size_costs) + [""]
    path.write_text("\n".join(lines))
