"""Words and numbers about a run: its title, a one-line headline, and the table of totals.

Shared by the figure, the HTML page and the text output, so that all three say the same thing.
"""

from __future__ import annotations

from trainzip.reports.records import RunRecord


def run_title(records: list[RunRecord]) -> str:
    """What the run was: the record's own title, or one made from its kind and settings."""
    if len(records) > 1:
        return "Comparing " + " vs ".join(record.name for record in records)
    record = records[0]
    if record.raw.get("title"):
        return str(record.raw["title"])
    if record.kind == "compress":
        level = record.raw.get("level")
        return f"trainzip compress {record.raw.get('file') or record.name}" + (f" (level {level})" if level is not None else "")
    if record.kind == "probe":
        return f"MDL probe: {record.name}"
    return f"Prequential run: {record.name}"


def headline(records: list[RunRecord]) -> str:
    """The figures a reader wants first, in one line per run."""
    return "\n".join(_headline_one(record, len(records) > 1) for record in records)


def _headline_one(record: RunRecord, named: bool) -> str:
    """Code length against the uniform code (and the output size, for a compressor)."""
    n, bits, uniform = record.total("samples"), record.total("bits"), record.total("uniform_bits")
    text = f"{bits:,.0f} bits ({bits / n:.3f} bits per {record.symbol})"
    if record.kind == "probe" and "compression_std" in record.raw:
        text = (f"online code {bits:,.0f} ± {record.raw['online_bits_std']:,.0f} bits ({bits / n:.3f} bits per sample)"
                f" vs uniform {uniform:,.0f} bits: compression {record.raw['compression']:.2f} ± "
                f"{record.raw['compression_std']:.2f} (mean ± std over {len(record.raw.get('seeds') or [])} seeds)")
    elif uniform:
        text += f" vs uniform {uniform:,.0f} bits: compression {uniform / bits:.2f}×"
    if record.total("regret_bits") is not None:
        text += f", regret {record.total('regret_bits'):,.0f} bits"
    if record.kind == "compress" and record.raw.get("output_bytes") is not None:
        text = (f"{record.raw.get('input_bytes', 0):,} → {record.raw['output_bytes']:,} bytes, "
                f"{_bits_per_byte(record):.3f} bits per byte\ncode " + text)
    return f"{record.name}: {text}" if named else text


def totals_rows(record: RunRecord) -> list[tuple[str, str]]:
    """(label, value) rows of a run's totals, every figure with its unit."""
    n = record.total("samples")
    rows = [(f"{record.symbol}s coded", f"{n:,.0f}")]
    rows += [(label, _bits(record.total(key), n, record.symbol)) for key, label in _BIT_TOTALS]
    if record.total("uniform_bits") and record.total("bits") and record.kind != "probe":  # a probe's is per seed
        rows.append(("compression (uniform / code)", f"{record.total('uniform_bits') / record.total('bits'):.3f}×"))
    accuracy = record.accuracy if record.accuracy is not None else record.total("accuracy")
    if accuracy is not None:
        rows.append(("online accuracy (top prediction, before learning)", f"{accuracy:.4f}"))
    if record.raw.get("world_size", 1) > 1:
        rows.append(("ranks (summed)", str(record.raw["world_size"])))
    if record.kind == "probe":
        rows += _probe_rows(record.raw)
    if record.kind == "compress":
        rows += _compress_rows(record)
    return rows


_BIT_TOTALS = (
    ("bits", "code length"),
    ("uniform_bits", "uniform code"),
    ("final_model_bits", "final model's code"),
    ("regret_bits", "regret (code − final model)"),
    ("absorbed_bits", "bits absorbed (uniform − final model)"),
)


def _bits(value: float | None, n: float, symbol: str) -> str:
    """A total in bits with its per-symbol rate, or a dash where the record has none."""
    if value is None:
        return "—"
    return f"{value:,.1f} bits ({value / n:.4f} bits per {symbol})"


def _probe_rows(raw: dict) -> list[tuple[str, str]]:
    """A probe's spread over seeds and its settings."""
    rows = []
    if "online_bits_std" in raw:
        rows.append(("online code, mean ± std over seeds", f"{raw['online_bits']:,.1f} ± {raw['online_bits_std']:,.1f} bits"))
    if "compression_std" in raw:
        rows.append(("compression, mean ± std over seeds", f"{raw['compression']:.3f} ± {raw['compression_std']:.3f}"))
    for key in ("probe", "schedule", "n_classes"):
        if raw.get(key) is not None:
            rows.append((key.replace("n_", "").replace("_", " "), str(raw[key])))
    if raw.get("seeds"):
        rows.append(("seeds", ", ".join(str(seed["seed"]) for seed in raw["seeds"])))
    return rows


def _compress_rows(record: RunRecord) -> list[tuple[str, str]]:
    """A compressor's sizes, speed and the classical compressors it was held against."""
    raw = record.raw
    rows = []
    for key, label, fmt in (("file", "file", "{}"), ("level", "level", "{}"), ("input_bytes", "input", "{:,} bytes"),
                            ("output_bytes", "output", "{:,} bytes"), ("seconds", "time", "{:.2f} s"),
                            ("bytes_per_second", "speed", "{:,.0f} bytes per second")):
        if raw.get(key) is not None:
            rows.append((label, fmt.format(raw[key])))
    if raw.get("output_bytes") is not None:
        rows.append(("bits per byte (output file)", f"{_bits_per_byte(record):.4f}"))
    for name, size in (raw.get("baselines") or {}).items():
        if size is not None:
            rows.append((f"baseline: {name}", f"{size:,} bytes ({8 * size / record.total('samples'):.4f} bits per byte)"))
    return rows


def _bits_per_byte(record: RunRecord) -> float:
    """The output file's size per input byte, in bits (the record's own figure where it has one)."""
    if record.raw.get("bits_per_byte") is not None:
        return float(record.raw["bits_per_byte"])
    return 8 * record.raw["output_bytes"] / max(record.raw.get("input_bytes") or record.total("samples"), 1)


def text_table(rows: list[tuple[str, str]]) -> str:
    """Rows as two aligned columns, for a terminal."""
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}}  {value}" for label, value in rows)
