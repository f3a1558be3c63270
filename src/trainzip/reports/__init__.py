"""Reports of runs: figures and self-contained HTML pages made from run records.

Sits on top of everything else and is imported by nothing but the CLI. A run record (format
``trainzip.run/1``) comes from the prequential meter, ``trainzip compress --json`` or
``trainzip probe --json``.
"""

from __future__ import annotations

from trainzip.reports.figures import figure_bytes, figure_png, named, run_figure
from trainzip.reports.html import render_html
from trainzip.reports.records import RUN_FORMAT, RunRecord, expand, load_record
from trainzip.reports.summary import headline, run_title, text_table, totals_rows

REPORT_FORMATS = ("png", "svg", "pdf", "html")

__all__ = [
    "REPORT_FORMATS",
    "RUN_FORMAT",
    "RunRecord",
    "expand",
    "figure_bytes",
    "figure_png",
    "headline",
    "load_record",
    "named",
    "render_html",
    "render_report",
    "run_figure",
    "run_title",
    "text_table",
    "totals_rows",
]


def render_report(records: list[RunRecord], report_format: str, labels: list[str] | None = None, *,
                  smooth: int | None = None) -> bytes:
    """The report of one or more runs as file contents: a figure (png, svg, pdf) or an HTML page.

    Args:
        smooth: draw per-step rates and accuracy over a trailing window of this many steps.
    """
    if report_format not in REPORT_FORMATS:
        raise ValueError(f"unknown report format {report_format!r}; choose one of {', '.join(REPORT_FORMATS)}")
    if labels:
        records = named(records, labels)
    figure = run_figure(records, labels, smooth=smooth)
    if report_format == "html":
        return render_html(records, figure_png(figure)).encode("utf-8")
    return figure_bytes(figure, report_format)
