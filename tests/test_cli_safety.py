"""Signals and special files on the command line: one line, a non-zero exit, nothing left behind.

The cases of issue 15's command line: SIGTERM and SIGHUP stop a run as Ctrl-C does (no partial
file, the existing output kept); a FIFO or device named by -o is written into, never replaced;
the output's directory is checked before any work, by the output's name; every error names its
file; trailing garbage is reported as such.
"""

import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time

import pytest

from tests.text_samples import words
from trainzip.cli import interrupts, main
from trainzip.cli.outputs import open_output, opened

TEXT = b"Training is compression, in bits you can check.\n" * 40


@pytest.fixture
def text_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(TEXT)
    return path


def _one_error_line(capsys) -> str:
    """The single line on stderr, which must be an error and no traceback."""
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("trainzip: error: "), lines
    return lines[0]


def _names(directory):
    return sorted(path.name for path in directory.iterdir())


@pytest.mark.parametrize(("signum", "after_s"), [(signal.SIGTERM, 0.0), (signal.SIGHUP, 2.5)],
                         ids=["SIGTERM-at-once", "SIGHUP-while-coding"])
def test_a_signal_leaves_no_partial_file_and_keeps_the_existing_output(tmp_path, signum, after_s):
    """SIGTERM and SIGHUP stop a run like Ctrl-C, whether they come as the output is opened or
    while coding: exit 128 + N, one line, the temporary file removed and the output that existed
    (replaced only with --force) exactly as it was."""
    source = tmp_path / "big.txt"
    source.write_bytes(words(3 << 20))
    (tmp_path / "big.txt.tz").write_bytes(b"precious")
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    process = subprocess.Popen([sys.executable, "-m", "trainzip", "--fast", "-f", str(source)],
                               stderr=subprocess.PIPE, env=env)
    deadline = time.monotonic() + 60
    while not any(name.endswith(".part") for name in os.listdir(tmp_path)):  # the output is being written
        assert process.poll() is None and time.monotonic() < deadline, process.stderr.read().decode()[-500:]
        time.sleep(0.02)
    time.sleep(after_s)
    assert process.poll() is None, "the run ended before the signal"
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    lines = [line for line in err.decode().splitlines() if line.strip()]
    assert process.returncode == 128 + signum, lines
    assert len(lines) == 1 and f"interrupted by {signal.Signals(signum).name}" in lines[0], lines
    assert _names(tmp_path) == ["big.txt", "big.txt.tz"]
    assert (tmp_path / "big.txt.tz").read_bytes() == b"precious"


def _signal_self_during(monkeypatch, target, name):
    """Make ``target.name`` send this process SIGTERM before it runs (as if the signal came then)."""
    original = getattr(target, name)

    def with_signal(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGTERM)
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, with_signal)


def test_sigterm_during_the_final_rename_is_held_until_the_output_is_in_place(tmp_path, monkeypatch):
    """A signal that comes as the finished output is renamed into place waits for the rename: the
    output is complete and no temporary file is left (the command then stops, interrupted)."""
    target = tmp_path / "out.tz"
    target.write_bytes(b"old")
    _signal_self_during(monkeypatch, os, "replace")
    previous = interrupts.install()
    try:
        with pytest.raises(interrupts.Interrupted):
            with opened(open_output(str(target), force=True)) as output:
                output.write(b"new and complete")
    finally:
        interrupts.restore(previous)
    assert _names(tmp_path) == ["out.tz"] and target.read_bytes() == b"new and complete"


def test_sigterm_during_the_write_removes_the_temporary_file(tmp_path, monkeypatch):
    """A signal while the output's bytes are written leaves the existing output and nothing else."""
    target = tmp_path / "out.tz"
    target.write_bytes(b"old")
    previous = interrupts.install()
    try:
        with pytest.raises(interrupts.Interrupted):
            with opened(open_output(str(target), force=True)) as output:
                _signal_self_during(monkeypatch, output.file, "write")
                output.write(b"never published")
    finally:
        interrupts.restore(previous)
    assert _names(tmp_path) == ["out.tz"] and target.read_bytes() == b"old"


def test_a_fifo_named_by_o_is_written_into_never_replaced(text_file, tmp_path, capsys):
    """-o FIFO --force writes the compressed file into the FIFO (its reader gets a file that
    decodes) and the FIFO stays a FIFO."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    assert main(["--fast", "-f", "-o", str(fifo), str(text_file)]) == 0
    reader.join(timeout=30)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    packed = tmp_path / "received.tz"
    packed.write_bytes(received[0])
    assert main(["-d", "-c", str(packed)]) == 0
    assert capsys.readouterr().out == TEXT.decode()
    assert _names(tmp_path) == ["notes.txt", "pipe", "received.tz"]


def test_dev_null_is_written_into_even_with_force(text_file, tmp_path):
    """-o /dev/null --force writes into the device (as root it once would have replaced it)."""
    assert main(["--fast", "-f", "-o", os.devnull, str(text_file)]) == 0
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    assert _names(tmp_path) == ["notes.txt"]


def test_dev_stdout_is_written_into_not_replaced(text_file, tmp_path):
    """-o /dev/stdout --force with stdout redirected to a file writes the .tz into that file, as the
    shell's redirection asks; the /dev/stdout link is left alone (once it would have been replaced,
    and a temporary file made in /dev)."""
    link = os.readlink("/dev/stdout")
    with open(tmp_path / "redirected.tz", "wb") as redirected:
        result = subprocess.run([sys.executable, "-m", "trainzip", "--fast", "-f", "-o", "/dev/stdout", str(text_file)],
                                stdout=redirected, stderr=subprocess.PIPE, timeout=300,
                                env=dict(os.environ, PYTHONWARNINGS="ignore"))
    assert result.returncode == 0, result.stderr.decode()
    assert os.readlink("/dev/stdout") == link
    assert not [name for name in os.listdir("/dev") if name.startswith(".trainzip-")]
    assert main(["-t", str(tmp_path / "redirected.tz")]) == 0
    assert _names(tmp_path) == ["notes.txt", "redirected.tz"]


def test_a_socket_is_refused_as_output(text_file, tmp_path, capsys):
    """A socket cannot be written into: refused by name before any work, and left as it is."""
    path = tmp_path / "sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    try:
        assert main(["--fast", "-f", "-o", str(path), str(text_file)]) == 1
        assert f"{path}: is a socket" in _one_error_line(capsys)
        assert stat.S_ISSOCK(os.stat(path).st_mode)
    finally:
        server.close()
    assert _names(tmp_path) == ["notes.txt", "sock"]


@pytest.mark.parametrize("command", [["--fast"], ["compress", "-q", "--level", "fast"]], ids=["gzip-style", "compress"])
def test_a_missing_output_directory_is_found_before_any_work(text_file, tmp_path, capsys, monkeypatch, command):
    """The output's directory is checked before coding starts, and the message names the output
    (never the temporary file)."""
    import trainzip.codec

    monkeypatch.setattr(trainzip.codec, "compress_with_report", lambda *a, **k: pytest.fail("coding started"))
    target = tmp_path / "no" / "such" / "out.tz"
    assert main([*command, "-o", str(target), str(text_file)]) == 1
    line = _one_error_line(capsys)
    assert f"{target}: cannot create it" in line and ".part" not in line
    assert _names(tmp_path) == ["notes.txt"]


def test_a_read_error_names_the_input(tmp_path, capsys):
    """A read that fails with EIO (/proc/self/mem at offset 0) names the file, not just
    "Input/output error"."""
    assert main(["--fast", "-o", str(tmp_path / "out.tz"), "/proc/self/mem"]) == 1
    assert _one_error_line(capsys) == "trainzip: error: /proc/self/mem: cannot read it: Input/output error"
    assert _names(tmp_path) == []


def test_a_write_error_names_the_output(text_file, tmp_path, capsys):
    """A device that refuses the bytes (/dev/full: no space) is named in the error."""
    assert main(["--fast", "-f", "-o", "/dev/full", str(text_file)]) == 1
    assert _one_error_line(capsys) == "trainzip: error: /dev/full: cannot write it: No space left on device"
    assert _names(tmp_path) == ["notes.txt"]


@pytest.mark.parametrize("command", [["-d"], ["-t"], ["-l"], ["decompress"], ["info"]])
def test_a_foreign_file_is_named_by_every_command(tmp_path, capsys, command):
    """Whatever reads a .tz file says which file is not one."""
    foreign = tmp_path / "notes.tz"
    foreign.write_bytes(b"plain text, not trainzip's")
    assert main([*command, str(foreign)]) == 1
    assert _one_error_line(capsys) == f"trainzip: error: {foreign}: not a trainzip file (wrong magic bytes)"
    assert _names(tmp_path) == ["notes.tz"]


def test_trailing_garbage_is_reported_as_such(text_file, tmp_path, capsys):
    """A .tz file with bytes appended is refused as having trailing garbage (not as truncated),
    naming the file; nothing is written."""
    assert main(["--fast", "-q", str(text_file)]) == 0
    packed = tmp_path / "notes.txt.tz"
    packed.write_bytes(packed.read_bytes() + b"\0" * 100)
    text_file.unlink()
    assert main(["-d", str(packed)]) == 1
    assert _one_error_line(capsys) == (f"trainzip: error: {packed}: corrupt file: 100 bytes of trailing garbage "
                                       "after the end of the trainzip data")
    assert _names(tmp_path) == ["notes.txt.tz"]
