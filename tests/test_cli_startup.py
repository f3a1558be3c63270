"""Start-up: each command imports only what it uses (`sys.modules` of a fresh `trainzip` process).

Speed itself is measured in bench/startup.py; these tests pin what decides it: `--help` loads no
NumPy, listing a file loads no PyTorch, and coding at `fast` loads neither PyTorch nor constriction
nor scipy.linalg (Numba's BLAS probe, skipped in the trainzip process).
"""

import importlib.util
import json
import os
import subprocess
import sys

import pytest

from trainzip.cli.commands import SUBCOMMANDS, load
from trainzip.cli.options import LEVEL_NAMES

HEAVY = ("numpy", "numba", "torch", "constriction", "tqdm", "trainzip.codec", "trainzip.container")


def _imported(*args: str, cwd) -> set[str]:
    """Every module a fresh `trainzip ARGS` process has loaded when its command is done (recorded
    just before the command line ends the process)."""
    record = cwd / "modules.json"
    script = ("import json, sys\n"
              "from trainzip.cli import main, startup\n"
              "exit_now = startup.exit_now\n"
              f"startup.exit_now = lambda status: (open({str(record)!r}, 'w').write(json.dumps(sorted(sys.modules))),\n"
              "                                    exit_now(status))\n"
              f"sys.argv = ['trainzip', *{list(args)!r}]\n"
              "main()  # as the `trainzip` script calls it\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, cwd=cwd,
                            env=dict(os.environ, PYTHONWARNINGS="ignore"), timeout=300)
    assert result.returncode == 0, result.stderr.decode()[-1000:]
    modules = set(json.loads(record.read_text()))
    record.unlink()
    return modules


def _loaded(modules: set[str], package: str) -> bool:
    return any(name == package or name.startswith(package + ".") for name in modules)


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_help_and_version_import_no_codec(flag, tmp_path):
    """`trainzip --help` (which lists every subcommand) and `--version` load click and nothing heavy."""
    modules = _imported(flag, cwd=tmp_path)
    assert "click" in modules
    assert [package for package in HEAVY if _loaded(modules, package)] == []


def test_listing_a_file_checks_it_without_decoding(tmp_path):
    """`trainzip -l` checks a file as decoding would before it decodes (the settings, so the codec's
    modules and Numba load: issue 25), but loads no PyTorch and no network, and decodes nothing."""
    from trainzip.codec import compress

    (tmp_path / "a.tz").write_bytes(compress(b"listed, not decoded", level="fast"))
    modules = _imported("-l", "a.tz", cwd=tmp_path)
    assert _loaded(modules, "trainzip.container") and _loaded(modules, "trainzip.codec.inspection")
    assert [package for package in ("torch", "trainzip.models.exact_network.network", "trainzip.codec.network_loop")
            if _loaded(modules, package)] == []


def test_coding_at_fast_loads_no_network_and_no_linear_algebra(tmp_path):
    """`trainzip --fast FILE` runs the count model alone: no PyTorch, no constriction (label
    streams only), no progress bar's tqdm off a terminal, and no scipy.linalg for Numba's BLAS probe."""
    (tmp_path / "a.txt").write_bytes(b"a small file, coded by the count model alone\n" * 20)
    modules = _imported("--fast", "a.txt", cwd=tmp_path)
    assert _loaded(modules, "numba") and _loaded(modules, "trainzip.codec")
    assert [package for package in ("torch", "constriction", "tqdm", "scipy.linalg") if _loaded(modules, package)] == []
    assert (tmp_path / "a.txt.tz").exists()


def test_the_blas_probe_alone_is_refused():
    """Inside the skipper's window Numba's probe finds no scipy.linalg (it then reports no BLAS, as
    on a machine without scipy), while an ordinary import of scipy.linalg still works."""
    if importlib.util.find_spec("scipy") is None:
        pytest.skip("scipy is not installed: there is no probe to skip")
    script = (
        "import sys\n"
        "from trainzip.cli import startup\n"
        "finder = startup.skip_blas_probe()\n"
        "from numba.np import arraymath\n"
        "assert arraymath._HAVE_BLAS is False and 'scipy.linalg' not in sys.modules\n"
        "assert finder not in sys.meta_path  # it stood down after the one probe\n"
        "import scipy.linalg\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=300)
    assert result.stdout.decode().strip() == "ok", result.stderr.decode()[-1000:]


def test_listed_descriptions_are_the_commands_own():
    """`--help` lists each subcommand with the one line written in `commands.SUBCOMMANDS` (so as to
    import none of them); each must be what the command itself says."""
    for name, description in SUBCOMMANDS.items():
        assert load(name).get_short_help_str(limit=1000) == description, name


def test_level_names_are_the_codecs():
    """The command line offers exactly the codec's levels, named without importing the codec."""
    from trainzip.codec.presets import LEVELS

    assert LEVEL_NAMES == tuple(LEVELS)
