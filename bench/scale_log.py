"""The scale benchmark's round trips, each appended to a JSON-lines log the moment it finishes.

The whole benchmark takes longer than one sitting can hold (default's 100 MB round trips alone
take hours on 2 cores), so it is run in parts, by several sessions or over several days. A log
that keeps each finished round trip, and a resume that skips what the log already holds, let any
part be run, stopped and run again without losing or repeating hours of work; the report is then
built from every run the log holds. Each line also records the load average before and after, so
that a reader can tell a quiet machine's timing from a busy one's.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

RunKey = tuple[str, int, int, int | None, str]
"""(level, input bytes, workers, block size or None for the level's own, input kind)."""


def run_key(row: dict) -> RunKey:
    """What a recorded round trip measured: the same key is the same measurement."""
    return row["level"], row["input_bytes"], row["workers"], row["block_size"], row["input_kind"]


class RunLog:
    """Round trips recorded in ``path`` (one JSON object a line), newest last."""

    def __init__(self, path: Path, *, resume: bool):
        self.path = path
        self.resume = resume
        self.started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())  # runs of one sitting share it

    @property
    def rows(self) -> list[dict]:
        """Every run on disk now, not as this process first read it: parts run side by side (hours
        each) append to one log, and each one's report must hold the other's runs too."""
        return _read_lines(self.path)

    def recorded(self, key: RunKey) -> list[dict]:
        """Every recorded run with this key, oldest first."""
        return [row for row in self.rows if run_key(row) == key]

    def measure(self, key: RunKey, run: Callable[[], dict], *, occurrence: int = 0) -> dict:
        """The ``occurrence``-th recorded run of ``key`` when resuming and the log holds that many;
        else ``run()``, appended to the log at once."""
        recorded = self.recorded(key) if self.resume else []
        if occurrence < len(recorded):
            print(f"recorded: {json.dumps(recorded[occurrence])}", flush=True)
            return recorded[occurrence]
        load_before, commit = os.getloadavg()[0], _commit()
        row = run()
        row.update(input_kind=key[4], load_average_before=load_before, load_average_after=os.getloadavg()[0],
                   date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), cpus=os.cpu_count(),
                   machine=platform.machine(), python=platform.python_version(), commit=commit,
                   sitting=self.started)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a") as log:
            log.write(json.dumps(row) + "\n")
        print(f"run: {json.dumps(row)}", flush=True)
        return row


def _commit() -> str | None:
    """The checkout's commit as a run starts, '+' where trainzip's sources differ from it: which code
    the run measured (the results this benchmark writes are not code, and are left out)."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], capture_output=True, text=True, cwd=Path(__file__).parent).stdout.strip()

    try:
        commit = git("rev-parse", "--short", "HEAD")
        edited = git("status", "--porcelain", "--untracked-files=no", "--", "../src")
        return (commit + ("+" if edited else "")) or None
    except OSError:
        return None


class SizeCostLog:
    """Size-cost rows in ``path``, one JSON object a line; a row measured again replaces the old one
    (sizes are exact: a new measurement of the same thing can only differ after a model change)."""

    def __init__(self, path: Path):
        self.path = path

    @staticmethod
    def _key(row: dict) -> tuple:
        return row["level"], row["file"], row["input_bytes"], row["block_size"]

    @property
    def rows(self) -> list[dict]:
        """The rows on disk now (read afresh, as RunLog's are, so that a part run beside this one
        keeps its rows)."""
        return _read_lines(self.path)  # add() keeps one row a key

    def add(self, rows: list[dict]) -> None:
        merged = {self._key(row): row for row in [*self.rows, *rows]}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text("".join(json.dumps(row) + "\n" for row in merged.values()))


def _read_lines(path: Path) -> list[dict]:
    """A JSON-lines file's objects, oldest first; none where it does not exist yet."""
    lines = path.read_text().splitlines() if path.exists() else []
    return [json.loads(line) for line in lines if line.strip()]
