"""Tables and charts from benchmark rows (see bench/run.py)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path


def _by_codec(rows: list[dict]) -> dict[str, list[dict]]:
    grouped = defaultdict(list)
    for row in rows:
        grouped[row["codec"]].append(row)
    return grouped


def _totals(rows: list[dict]) -> dict:
    original = sum(r["original_bytes"] for r in rows)
    compress_s = sum(r["original_bytes"] / r["compress_kB_per_s"] / 1000 for r in rows)
    decompress_s = sum(r["original_bytes"] / r["decompress_kB_per_s"] / 1000 for r in rows)
    size = sum(r["bytes"] for r in rows)
    return {"bytes": size, "bits_per_byte": 8 * size / original, "compress_kB_per_s": original / compress_s / 1000,
            "decompress_kB_per_s": original / decompress_s / 1000, "peak_mib": max(r["peak_mib"] for r in rows),
            # what a user waits for: a fresh process per file, start-up included
            "compress_wall_kB_per_s": original / sum(r["compress_wall_s"] for r in rows) / 1000,
            "decompress_wall_kB_per_s": original / sum(r["decompress_wall_s"] for r in rows) / 1000}


def write_table(rows: list[dict], machine: dict, path: Path) -> None:
    """Markdown: sizes per file and codec, totals with speed and memory, and every row in detail."""
    grouped = _by_codec(rows)
    files = list(dict.fromkeys(r["file"] for r in rows))
    lines = [f"# Benchmark ({machine['date']}, {machine['cpus']} CPUs, {machine['machine']}, "
             f"Python {machine['python']})", "",
             "Sizes in bytes; every round trip verified. Throughput is coding time inside the process "
             "(start-up excluded: Python imports and Numba's loading of compiled kernels), the fastest of 5 runs "
             "where a run takes under 2 s; *wall* throughput is what a user waits for, a fresh process per file "
             "with its start-up (every codec runs in bench/worker.py, so the peers' wall figures include Python's "
             "own start too; startup.md times the commands themselves); peak memory is the process's maximum "
             "resident set.", "",
             "| codec | " + " | ".join(files) + " | total | bits/byte | compress kB/s | decompress kB/s | "
             "compress kB/s wall | decompress kB/s wall | peak MiB |",
             "|---|" + "---:|" * (len(files) + 7)]
    for codec, codec_rows in grouped.items():
        sizes = {r["file"]: r["bytes"] for r in codec_rows}
        total = _totals(codec_rows)
        lines.append(f"| {codec} | " + " | ".join(f"{sizes[f]:,}" for f in files)
                     + f" | {total['bytes']:,} | {total['bits_per_byte']:.3f} | {total['compress_kB_per_s']:.1f} | "
                     f"{total['decompress_kB_per_s']:.1f} | {total['compress_wall_kB_per_s']:.1f} | "
                     f"{total['decompress_wall_kB_per_s']:.1f} | {total['peak_mib']:.0f} |")
    lines += ["", "## Every run", "", "| file | codec | bytes | bits/byte | compress kB/s | decompress kB/s | "
              "compress wall s | decompress wall s | peak MiB |", "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['file']} | {r['codec']} | {r['bytes']:,} | {r['bits_per_byte']:.3f} | "
                     f"{r['compress_kB_per_s']:.1f} | {r['decompress_kB_per_s']:.1f} | {r['compress_wall_s']:.1f} | "
                     f"{r['decompress_wall_s']:.1f} | {r['peak_mib']:.0f} |")
    path.write_text("\n".join(lines) + "\n")


def startup_table(record: dict) -> str:
    """Markdown of bench/startup.py's record: each command's wall clock, then throughput with and
    without start-up on the same file."""
    environment = record["environment"]
    lines = [f"# Start-up ({environment['date']}, {environment['cpus']} CPUs, {environment['machine']}, "
             f"Python {environment['python']}, Numba {environment['numba']}, NumPy {environment['numpy']}, "
             f"scipy {'installed' if environment['scipy_installed'] else 'absent'}, load average "
             f"{environment['load_average'][0]})", "",
             f"Wall-clock seconds of fresh processes, {record['rows'][0]['runs']} runs of each, interleaved, and "
             "their CPU seconds (user + system: what a one-threaded start-up takes on an idle machine, steadier "
             f"than the wall clock when the machine is shared); the input is {record['file']} "
             f"({record['file_bytes']:,} bytes).", "",
             "| command | median s | fastest s | median CPU s |", "|---|---:|---:|---:|"]
    lines += [f"| `{row['command']}` | {row['median_s']:.3f} | {row['fastest_s']:.3f} | {row['median_cpu_s']:.3f} |"
              for row in record["rows"]]
    walls = {row["command"]: row["median_s"] for row in record["rows"]}
    lines += ["", "| trainzip fast | in-process kB/s | wall kB/s | start-up s (wall - coding) |",
              "|---|---:|---:|---:|"]
    for direction, command in (("compress", f"trainzip compress --level fast {record['file']}"),
                               ("decompress", f"trainzip decompress {record['file']}.tz")):
        coding, wall = record["coding_s"][direction], walls[command]
        lines.append(f"| {direction} | {record['file_bytes'] / coding / 1000:.1f} | "
                     f"{record['file_bytes'] / wall / 1000:.1f} | {wall - coding:.3f} |")
    return "\n".join(lines + ["", *_phase_rows(record["phases_ms"])])


def _phase_rows(phases: dict) -> list[str]:
    """Where a fresh process's start-up goes (medians; the kernels' loads and Numba's registries
    fall inside the first coding call, the registries inside the first load)."""
    rows = ["| phase of `trainzip --fast` in a fresh process | median ms | median CPU ms |", "|---|---:|---:|"]
    rows += [f"| {name} | {ms['wall_ms']:.1f} | {ms['cpu_ms']:.1f} |" for name, ms in phases.items()
             if name != "kernel loads"]
    rows += [f"| load of kernel `{name}` from Numba's cache | {ms['wall_ms']:.1f} | {ms['cpu_ms']:.1f} |"
             for name, ms in phases["kernel loads"].items()]
    return rows


def write_charts(rows: list[dict], directory: Path) -> None:
    """bits_per_byte.png (per file, per codec) and size_vs_speed.png (one point per codec)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    grouped = _by_codec(rows)
    files = list(dict.fromkeys(r["file"] for r in rows))
    codecs = list(grouped)
    colors = plt.get_cmap("tab10")
    figure, axis = plt.subplots(figsize=(12, 5.5))
    width = 0.8 / len(codecs)
    for index, codec in enumerate(codecs):
        values = {r["file"]: r["bits_per_byte"] for r in grouped[codec]}
        axis.bar(np.arange(len(files)) + index * width, [values[f] for f in files], width, label=codec,
                 color=colors(index % 10), edgecolor="white", linewidth=0.4)
    axis.set_xticks(np.arange(len(files)) + 0.4 - width / 2, files, rotation=20)
    axis.set_ylabel("bits per byte (lower is better)")
    axis.set_title("Compressed size of each file, by compressor")
    axis.grid(axis="y", alpha=0.3)
    axis.legend(ncols=4, fontsize=8, frameon=False)
    figure.tight_layout()
    figure.savefig(directory / "bits_per_byte.png", dpi=130)
    plt.close(figure)

    figure, axis = plt.subplots(figsize=(8, 5.5))
    placed = []
    for index, codec in enumerate(codecs):
        total = _totals(grouped[codec])
        speed, bpb = total["compress_kB_per_s"], total["bits_per_byte"]
        marker = "*" if codec.startswith("trainzip") else "o"
        axis.scatter(speed, bpb, s=160 if marker == "*" else 70, marker=marker, color=colors(index % 10), zorder=3)
        crowded = any(abs(bpb - b) < 0.05 and 0.5 < speed / s < 2 for s, b in placed)  # a label is already there
        axis.annotate(codec, (speed, bpb), textcoords="offset points", xytext=(7, -13 if crowded else 4), fontsize=9)
        placed.append((speed, bpb))
    axis.set_xscale("log")
    axis.set_xlabel("compression speed, kB/s (log scale)")
    axis.set_ylabel("bits per byte over all files (lower is better)")
    axis.set_title(f"Size against speed on {len(files)} files")
    axis.grid(alpha=0.3, which="both")
    figure.tight_layout()
    figure.savefig(directory / "size_vs_speed.png", dpi=130)
    plt.close(figure)
