"""A self-contained HTML page of a run: the figure embedded as base64 PNG, and tables of totals.

One file with no external references, so it can be mailed, archived or opened offline.
"""

from __future__ import annotations

import base64
import html

from trainzip.reports.records import RunRecord
from trainzip.reports.summary import headline, run_title, totals_rows

_CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; max-width: 960px;
       margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.35em; margin-bottom: 0.2em; } h2 { font-size: 1.1em; margin-top: 1.6em; }
p.headline { color: #555; margin-top: 0; white-space: pre-line; }
img { max-width: 100%; height: auto; border: 1px solid #eee; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.93em; }
th, td { padding: 0.25em 0.9em 0.25em 0; text-align: left; border-bottom: 1px solid #eee; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
footer { color: #888; font-size: 0.85em; margin-top: 2em; }
"""


def render_html(records: list[RunRecord], png: bytes) -> str:
    """The page: title, headline, the figure, the totals of each run, a probe's block table."""
    title = run_title(records)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="headline">{html.escape(headline(records))}</p>',
        f'<img alt="{html.escape(title)}" src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}">',
    ]
    for record in records:
        parts.append(f"<h2>Totals: {html.escape(record.name)}</h2>")
        parts.append(_table(["", "value"], totals_rows(record)))
        if record.kind == "probe" and record.raw.get("blocks"):
            parts.append(f"<h2>Blocks: {html.escape(record.name)}</h2>")
            parts.append(_block_table(record.raw["blocks"]))
    parts.append("<footer>All figures in bits (1 kbit = 1,000 bits). Written by trainzip report.</footer>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _table(header: list[str], rows: list[tuple[str, ...]], numeric_from: int = 1) -> str:
    """An HTML table; columns from ``numeric_from`` on are right-aligned numbers."""
    head = "".join(f"<th>{html.escape(cell)}</th>" for cell in header)
    body = []
    for row in rows:
        cells = "".join(
            f'<td{" class=num" if i >= numeric_from else ""}>{html.escape(str(cell))}</td>' for i, cell in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _block_table(blocks: list[dict]) -> str:
    """A probe's blocks: where each lies, what it cost, mean ± std over seeds."""
    rows = [
        (str(b["block"]), f"{b['start']:,}–{b['end']:,}", f"{b['samples']:,}",
         f"{b['bits']:,.1f} ± {b.get('bits_std', 0):,.1f}", f"{b['bits'] / b['samples']:.3f}", b.get("code", ""))
        for b in blocks
    ]
    return _table(["block", "samples", "size", "bits (mean ± std)", "bits per sample", "code"], rows)
