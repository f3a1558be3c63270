"""The limits table as text: one line per (source, n, learner), and the coder's overhead."""

from __future__ import annotations

from collections.abc import Sequence

from trainzip.limits.experiment import Row

_HEADER = (
    f"{'source':<14} {'H bits':>7} {'n':>8} {'learner':<16} {'bits/sym':>9} {'excess %':>9} "
    f"{'regret':>10} {'bound':>8} {'vs ML':>8} {'KT band vs ML':>17} {'file b/sym':>10}"
)


def _number(value, spec: str, width: int) -> str:
    """A figure, or a dash where it does not apply."""
    return f"{value:{width}{spec}}" if value is not None else f"{'-':>{width}}"


def format_row(row: Row) -> str:
    """One table line; 'regret' is L - nH, 'bound' (k_free/2) log2 n, 'vs ML' L - L_ML."""
    band = (
        f"[{row.ml_bound_low_bits:7.1f},{row.ml_bound_bits:7.1f}]"
        if row.ml_bound_bits is not None
        else f"{'-':>17}"
    )
    return (
        f"{row.source:<14} {row.entropy_rate_bits:7.4f} {row.n:>8} {row.learner:<16} "
        f"{row.bits_per_symbol:9.4f} {row.excess_percent:9.3f} {row.regret_bits:10.1f} "
        f"{_number(row.regret_bound_bits, '.1f', 8)} {_number(row.regret_vs_ml_bits, '.1f', 8)} {band} "
        f"{_number(row.file_bits_per_symbol, '.4f', 10)}"
    )


def format_table(rows: Sequence[Row]) -> str:
    """The whole table, a header line first."""
    return "\n".join([_HEADER, "-" * len(_HEADER), *(format_row(row) for row in rows)])


def format_overhead(overheads: Sequence[dict]) -> str:
    """Real payload against the ideal sum of -log2 q, at each learner's largest n."""
    lines = [f"{'coder overhead':<30} {'n':>8} {'ideal bits':>12} {'overhead bits':>13} {'%':>8}"]
    for item in overheads:
        lines.append(
            f"{item['source'] + ' ' + item['learner']:<30} {item['n']:>8} {item['ideal_bits']:12.1f} "
            f"{item['overhead_bits']:13.1f} {item['overhead_percent']:8.4f}"
        )
    return "\n".join(lines)


def format_markdown(rows: Sequence[Row]) -> str:
    """The table as Markdown, for docs/limits.md (same figures, fewer decimals)."""
    lines = [
        "| source | H (bits) | n | learner | bits/symbol | excess % | regret L-nH | L-L_source | (k/2) log2 n "
        "| L-L_ML | KT band vs ML | file bits/symbol |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for row in rows:
        band = f"[{row.ml_bound_low_bits:.1f}, {row.ml_bound_bits:.1f}]" if row.ml_bound_bits is not None else "-"
        cells = [
            row.source, f"{row.entropy_rate_bits:.4f}", f"{row.n:,}", row.learner, f"{row.bits_per_symbol:.4f}",
            f"{row.excess_percent:.2f}", f"{row.regret_bits:.0f}", f"{row.regret_vs_source_bits:.0f}",
            _number(row.regret_bound_bits, ".0f", 1).strip(), _number(row.regret_vs_ml_bits, ".1f", 1).strip(),
            band, _number(row.file_bits_per_symbol, ".4f", 1).strip(),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
