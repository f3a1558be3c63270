"""The scale benchmark's results as a Markdown page (bench/scale.py writes them)."""

from __future__ import annotations

from pathlib import Path


def _throughput_table(rows: list[dict]) -> list[str]:
    lines = ["## Throughput, 1 and 2 workers (wall clock, start-up included; interleaved, median)", "",
             "| level | input bytes | block size | compress kB/s 1w | 2w | speed-up | decompress kB/s 1w | 2w | "
             "speed-up |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['level']} | {r['input_bytes']:,} | {r['block_size'] or 'level'} | "
                     f"{r['compress_kB_per_s_1w']:.1f} | {r['compress_kB_per_s_2w']:.1f} | "
                     f"{r['compress_speedup']:.2f}x | {r['decompress_kB_per_s_1w']:.1f} | "
                     f"{r['decompress_kB_per_s_2w']:.1f} | {r['decompress_speedup']:.2f}x |")
    return lines


def _memory_table(rows: list[dict]) -> list[str]:
    lines = ["## Peak resident memory of the process tree (MiB; round trips checked)", "",
             "| level | block size | small, 1 worker | large, 1 worker | large / small | large, 2 workers |",
             "|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        peak = r["peak_mib"]
        lines.append(f"| {r['level']} | {r['block_size'] or 'level'} | {peak['small_1w']:,.0f} "
                     f"({r['runs']['small_1w']['input_bytes']:,} B) | {peak['large_1w']:,.0f} "
                     f"({r['runs']['large_1w']['input_bytes']:,} B) | {r['large_over_small_1w']:.3f} | "
                     f"{peak['large_2w']:,.0f} |")
    return lines


def _cost_table(rows: list[dict]) -> list[str]:
    lines = ["## Size cost of the block size against one block", "",
             "| level | file | input bytes | block size | blocks | bytes | one block | cost |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['level']} | {r['file']} | {r['input_bytes']:,} | {r['block_size']:,} | {r['blocks']} | "
                     f"{r['bytes']:,} | {r['one_block_bytes']:,} | {r['cost_percent']:+.2f}% |")
    return lines


def write_markdown(results: dict, path: Path) -> None:
    """Tables of every part that ran."""
    machine = results["machine"]
    lines = [f"# Scale benchmark ({machine['date']}, {machine['cpus']} CPUs, {machine['machine']}, "
             f"Python {machine['python']})", "", f"Arguments: `{results['arguments']}`", ""]
    if results["throughput"]:
        lines += _throughput_table(results["throughput"]) + [""]
    if results["memory"]:
        lines += _memory_table(results["memory"]) + [""]
    if results["size_cost"]:
        lines += _cost_table(results["size_cost"]) + [""]
    path.write_text("\n".join(lines))
