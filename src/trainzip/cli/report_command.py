"""`trainzip report RUN.json -o OUT.png|OUT.html`: figures and pages from run records."""

from __future__ import annotations

import os
from pathlib import Path

import click

from trainzip.cli.files import STDIO, ensure_can_write, publish, read_input
from trainzip.errors import TrainzipError

_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf", ".html": "html", ".htm": "html"}


@click.command("report", short_help="Figures and HTML pages of runs (prequential, compress, probe).")
@click.argument("runs", nargs=-1, required=True, metavar="RUN.json...")
@click.option("-o", "--output", metavar="OUT", help="OUT.png, .svg, .pdf, or .html (a self-contained page); "
              "without it the totals are printed.")
@click.option("--label", "labels", multiple=True, help="Legend name of each run, in order (default: file names).")
@click.option("--smooth", type=click.IntRange(min=1), default=None, metavar="STEPS",
              help="Draw per-step rates and accuracy over a trailing window of STEPS steps.")
@click.option("-f", "--force", is_flag=True, help="Overwrite OUT if it exists.")
def command(runs, output, labels, smooth, force):
    """Draw one run record, or several overlaid (e.g. a probe and its control).

    Panels: code length per symbol over training, cumulative bits against the uniform code and
    the final model, bits absorbed (saved against the uniform code; the gap to what the final
    model absorbed is the regret), and online accuracy where recorded. All in bits. A probe
    comparison (--probe linear mlp) draws each probe and the switch code.
    """
    if labels and len(labels) != len(runs):
        raise TrainzipError(f"got {len(labels)} --label for {len(runs)} runs; give one per run or none")
    report_format = _format(output) if output else None
    if output:
        ensure_can_write(output, force)
    from trainzip.reports import expand, load_record, render_report

    records = [load_record(read_input(path), _name(path), _folder(path)) for path in runs]
    if labels:
        from trainzip.reports import named

        records = named(records, list(labels))
    records = [part for record in records for part in expand(record)]
    if output is None:
        click.echo(_text(records))
        return
    publish(output, render_report(records, report_format, smooth=smooth), force)


def _text(records) -> str:
    """Title, headline and totals of each run, for a terminal."""
    from trainzip.reports import headline, run_title, text_table, totals_rows

    return "\n\n".join(f"{run_title([r])}\n{headline([r])}\n\n{text_table(totals_rows(r))}" for r in records)


def _format(path: str) -> str:
    """The report format named by the output's extension."""
    extension = os.path.splitext(path)[1].lower()
    if path == STDIO or extension not in _FORMATS:
        raise TrainzipError(f"{path}: the report is written as .png, .svg, .pdf or .html; name the file so")
    return _FORMATS[extension]


def _folder(path: str) -> Path | None:
    """Where a record's steps file would lie (none for stdin)."""
    return None if path == STDIO else Path(path).resolve().parent


def _name(path: str) -> str:
    """A run's name: its file name without the extension."""
    return "stdin" if path == STDIO else os.path.splitext(os.path.basename(path))[0]
