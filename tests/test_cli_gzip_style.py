"""`trainzip [-d|-t|-l|-c] FILE...` used as people use gzip, xz and zstd, tar among them.

Exit status as gzip's: 0 ok, 1 an error, 2 a warning (a file left alone).
"""

import io
import os
import pty
import shutil
import subprocess
import sys

import pytest

from tests.conftest import CANTERBURY, corpus_file
from trainzip.cli import main
from trainzip.container import FORMAT_VERSION

FILES = {"a.txt": b"the first file, " * 30, "b.txt": b"the second one\n" * 50, "c.txt": b""}
TAR_FILES = ["xargs.1", "grammar.lsp", "fields.c", "cp.html", "sum"]  # small text, markup, code and a binary


@pytest.fixture
def files(tmp_path):
    for name, data in FILES.items():
        (tmp_path / name).write_bytes(data)
    return tmp_path


def _names(directory):
    return sorted(path.name for path in directory.iterdir())


def _stderr_lines(capsys):
    return [line for line in capsys.readouterr().err.splitlines() if line.strip()]


def _run(*args, stdin=None, stdout=subprocess.PIPE):
    """`python -m trainzip ARGS` in a fresh process; ``stdin`` is bytes or a file descriptor."""
    feed = {"input": stdin} if isinstance(stdin, bytes) else {"stdin": stdin}
    return subprocess.run([sys.executable, "-m", "trainzip", *args], stdout=stdout, stderr=subprocess.PIPE,
                          env=dict(os.environ, PYTHONWARNINGS="ignore"), timeout=300, **feed)


def test_several_files_each_to_its_own_output_and_back(files, capsys):
    """`trainzip FILE...` writes FILE.tz beside each, keeping every input as it was (-k is implied);
    `trainzip -d FILE.tz...` restores each one."""
    paths = [str(files / name) for name in FILES]
    stats = {name: (files / name).stat().st_mtime_ns for name in FILES}
    assert main(["--fast", "-k", *paths]) == 0
    assert _names(files) == sorted([*FILES, *(name + ".tz" for name in FILES)])
    assert {name: (files / name).stat().st_mtime_ns for name in FILES} == stats
    for name in FILES:
        (files / name).unlink()
    assert main(["-d", *(path + ".tz" for path in paths)]) == 0
    assert {name: (files / name).read_bytes() for name in FILES} == FILES
    assert _stderr_lines(capsys) == []  # silent, as gzip is without -v


def test_filter_mode_and_stdout(files, capsysbinary, monkeypatch):
    """No FILE: stdin to stdout, both ways; -c writes a file's result to stdout."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(FILES["a.txt"])))
    assert main(["--fast"]) == 0
    packed = capsysbinary.readouterr().out
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(packed)))
    assert main(["-d"]) == 0
    assert capsysbinary.readouterr().out == FILES["a.txt"]
    assert main(["--fast", "-c", str(files / "b.txt")]) == 0
    (files / "b.tz").write_bytes(capsysbinary.readouterr().out)
    assert main(["-d", "-c", str(files / "b.tz")]) == 0
    assert capsysbinary.readouterr().out == FILES["b.txt"]


def test_a_pipe_through_c(files):
    """`trainzip -c FILE | trainzip -d` gives FILE back, in two fresh processes joined by a pipe."""
    source = files / "b.txt"
    packer = subprocess.Popen([sys.executable, "-m", "trainzip", "--fast", "-c", str(source)], stdout=subprocess.PIPE,
                              env=dict(os.environ, PYTHONWARNINGS="ignore"))
    with packer.stdout:
        unpacked = _run("-d", stdin=packer.stdout.fileno())
    assert packer.wait(timeout=60) == 0 and unpacked.returncode == 0, unpacked.stderr.decode()
    assert unpacked.stdout == source.read_bytes()


def test_a_reader_that_stops_early_ends_the_run_quietly(tmp_path):
    """`trainzip -dc big.tz | head -c 10`: when the reader goes, trainzip stops without a word and
    with the status of a death by SIGPIPE (141), as gzip; never a success after writing only a part
    (seen with PYTHONUNBUFFERED, where stdout takes only what the pipe holds)."""
    from trainzip.codec import compress

    packed = tmp_path / "big.tz"
    text = b"".join(b"line %d of a long text\n" % i for i in range(3_600))  # 84 kB: more than a pipe holds
    packed.write_bytes(compress(text, level="fast"))
    env = dict(os.environ, PYTHONWARNINGS="ignore", PYTHONUNBUFFERED="1")
    process = subprocess.Popen([sys.executable, "-m", "trainzip", "-dc", str(packed)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env)
    assert process.stdout.read(10) == b"line 0 of "
    process.stdout.close()
    assert process.wait(timeout=120) == 141
    assert process.stderr.read() == b""
    process.stderr.close()


def test_tar_round_trips_a_directory_of_corpus_files(tmp_path):
    """`tar -I trainzip -cf x.tar.tz dir/` and `tar -I trainzip -xf x.tar.tz` give every file back
    exactly (tar runs PROG to compress and PROG -d to decompress, stdin to stdout)."""
    if shutil.which("tar") is None:
        pytest.skip("no tar on this machine")
    corpus_file("canterbury/xargs.1")
    (tmp_path / "corpus").mkdir()
    for name in TAR_FILES:
        shutil.copy(CANTERBURY / name, tmp_path / "corpus" / name)
    program = tmp_path / "bin" / "trainzip"  # what `pip install` puts on PATH, for this interpreter
    program.parent.mkdir()
    program.write_text(f"#!/bin/sh\nexec {sys.executable} -m trainzip \"$@\"\n")
    program.chmod(0o755)
    env = dict(os.environ, PATH=f"{program.parent}{os.pathsep}{os.environ['PATH']}", PYTHONWARNINGS="ignore")
    subprocess.run(["tar", "-I", "trainzip --fast", "-cf", "x.tar.tz", "corpus"], cwd=tmp_path, env=env, check=True,
                   timeout=300)
    assert (tmp_path / "x.tar.tz").read_bytes()[:4] == b"\x89TZP"
    (tmp_path / "out").mkdir()
    subprocess.run(["tar", "-I", "trainzip", "-xf", "../x.tar.tz"], cwd=tmp_path / "out", env=env, check=True,
                   timeout=300)
    for name in TAR_FILES:
        assert (tmp_path / "out" / "corpus" / name).read_bytes() == (CANTERBURY / name).read_bytes(), name


def test_test_and_list(files, capsys):
    """-t decodes and checks without writing (-v says OK); -l lists sizes, ratio, level, format,
    and totals for several files."""
    assert main(["--fast", str(files / "a.txt"), str(files / "b.txt")]) == 0
    before = _names(files)
    assert main(["-t", "-v", str(files / "a.txt.tz")]) == 0
    assert _stderr_lines(capsys) == [f"{files / 'a.txt.tz'}: OK"]
    assert main(["-l", str(files / "a.txt.tz"), str(files / "b.txt.tz")]) == 0
    header, first, second, totals = capsys.readouterr().out.splitlines()
    assert header.split() == ["compressed", "uncompressed", "ratio", "bits/byte", "level", "format", "name"]
    size = (files / "a.txt.tz").stat().st_size
    assert first.split() == [f"{size:,}", "480", f"{100 * (1 - size / 480):.1f}%", f"{8 * size / 480:.3f}", "fast",
                             f"v{FORMAT_VERSION}", str(files / "a.txt.tz")]
    assert second.split()[4:6] == ["fast", f"v{FORMAT_VERSION}"] and totals.endswith("(totals)")
    assert _names(files) == before


def test_test_on_a_corrupt_file(files, capsys):
    """-t on a damaged file: one error line naming it, exit 1, nothing written; the good file
    after it is still tested (gzip goes on past a failure)."""
    assert main(["--fast", str(files / "a.txt"), str(files / "b.txt")]) == 0
    damaged = bytearray((files / "a.txt.tz").read_bytes())
    damaged[len(damaged) // 2] ^= 0x10
    (files / "a.txt.tz").write_bytes(bytes(damaged))
    before = _names(files)
    assert main(["-tv", str(files / "a.txt.tz"), str(files / "b.txt.tz")]) == 1
    first, second = _stderr_lines(capsys)
    assert first.startswith(f"trainzip: error: {files / 'a.txt.tz'}: corrupt file")
    assert second == f"{files / 'b.txt.tz'}: OK"
    assert _names(files) == before


def test_warnings_leave_files_alone_with_status_2(files, capsys):
    """As gzip: an existing output (without -f), a -d input not named .tz, a .tz given to compress
    and a directory are each left alone with a warning and exit status 2; -q hides the warnings;
    an error among them makes it 1."""
    (files / "a.txt.tz").write_bytes(b"precious")
    (files / "sub").mkdir()
    assert main(["--fast", str(files / "a.txt"), str(files / "a.txt.tz"), str(files / "sub")]) == 2
    warnings = _stderr_lines(capsys)
    assert len(warnings) == 3 and all(line.startswith("trainzip: warning: ") for line in warnings)
    assert "already exists" in warnings[0] and "suffix" in warnings[1] and "is a directory" in warnings[2]
    assert (files / "a.txt.tz").read_bytes() == b"precious"
    assert main(["-d", "-q", str(files / "b.txt")]) == 2 and _stderr_lines(capsys) == []
    assert main(["-d", str(files / "b.txt"), str(files / "missing.tz")]) == 1
    assert main(["--fast", "-f", str(files / "a.txt")]) == 0 and (files / "a.txt.tz").read_bytes() != b"precious"


def test_double_dash_before_a_name_that_starts_with_a_dash(files, monkeypatch):
    """`trainzip -- -x` compresses the file named -x (and `-d -- -x.tz` restores it)."""
    monkeypatch.chdir(files)
    (files / "-x").write_bytes(b"a dashing name")
    assert main(["--fast", "--", "-x"]) == 0
    (files / "-x").unlink()
    assert main(["-d", "--", "-x.tz"]) == 0
    assert (files / "-x").read_bytes() == b"a dashing name"


def test_compressed_data_is_not_written_to_a_terminal(tmp_path):
    """Filter mode with stdout on a terminal refuses (one line, exit 1), as gzip does; so does
    reading compressed data from a terminal."""
    try:
        controller, terminal = pty.openpty()
    except OSError:
        pytest.skip("no pseudo-terminal on this machine")
    try:
        packing = _run("--fast", stdin=b"some data", stdout=terminal)
        unpacking = _run("-d", stdin=terminal)
    finally:
        os.close(terminal)
        os.close(controller)
    assert packing.returncode == 1
    assert packing.stderr.decode().strip() == "trainzip: error: stdout: compressed data not written to a terminal " \
                                              "(use -f to force)"
    assert unpacking.returncode == 1 and b"not read from a terminal" in unpacking.stderr


def test_usage_errors_exit_1(files, capsys):
    """A wrong command line exits 1, as gzip's does (2 means a warning); nothing is written."""
    assert main(["--bogus"]) == 1
    assert main(["-o", "x.tz", str(files / "a.txt"), str(files / "b.txt")]) == 1
    assert main(["-c", str(files / "a.txt"), str(files / "b.txt")]) == 1  # would join two .tz files
    assert _names(files) == sorted(FILES)
