"""`info` and `-l` check what decoding checks before it decodes (issue 25): every crafted file that
`-t` refuses without decoding a bit, they refuse in the same one line; none of them prints a
traceback; and `info` shows the memory decoding needs."""

from __future__ import annotations

import json

import pytest

from tests.hostile_files import CASES, custom
from tests.hostile_files import _network_block as network_block
from trainzip.cli import main
from trainzip.codec import compress

# Refusals only decoding can find: a payload that runs out, a block that decodes to the wrong CRC.
FOUND_BY_DECODING = ("payload ends before", "does not decode")
# The memory limit depends on the machine's user (--memlimit): `info` shows the need, and lists it.
SHOWN_NOT_REFUSED = ("over the limit",)
# beyond the hostile cases: fingerprints of the shapes issue 25 found tracebacks on, in both versions
FINGERPRINTS = {"fingerprint-a-list-v7": ([1, 2], "fingerprint is not valid"),
                "fingerprint-a-string-v7": ("x86_64", "fingerprint is not valid"),
                "fingerprint-threads-x-v7": ({"threads": "x"}, "threads must be an integer")}


def _one_error_line(capsys) -> str:
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("trainzip: error: "), captured.err
    return lines[0]


def _crafted(name: str) -> bytes:
    if name in FINGERPRINTS:
        return network_block(dict(custom(), fingerprint=FINGERPRINTS[name][0]))
    return CASES[name].build()


@pytest.mark.parametrize("name", sorted(set(CASES) | set(FINGERPRINTS)))
def test_info_and_list_refuse_what_decoding_refuses_before_it_decodes(name, tmp_path, capsys):
    """Each crafted file: where decoding refuses it from its header and frames alone, `info` and
    `-l` exit 1 with the same line as `-t` (the memory limit aside: info shows it); where only
    decoding finds the fault, they describe the file and exit 0."""
    path = tmp_path / "crafted.tz"
    path.write_bytes(_crafted(name))
    message = FINGERPRINTS[name][1] if name in FINGERPRINTS else CASES[name].message
    structural = not any(fragment in message for fragment in FOUND_BY_DECODING + SHOWN_NOT_REFUSED)
    for command in (["info", str(path)], ["info", "--json", str(path)], ["-l", str(path)]):
        code = main(command)
        if structural:
            assert code == 1, command
            line = _one_error_line(capsys)
            assert message in line and "crafted.tz" in line, (command, line)
        else:
            assert code == 0, (command, capsys.readouterr().err)
            assert "Traceback" not in capsys.readouterr().err


def test_info_shows_the_memory_a_file_needs_and_the_limit(tmp_path, capsys):
    """`info` gives the memory one block's decoding needs, and says when it is over the limit in force."""
    (tmp_path / "a.tz").write_bytes(compress(b"shown, not decoded\n" * 30, level="fast"))
    (tmp_path / "big.tz").write_bytes(CASES["8KB-asks-4.5GiB"].build())
    assert main(["info", "--json", str(tmp_path / "a.tz")]) == 0
    info = json.loads(capsys.readouterr().out)
    assert 160 << 20 < info["decode_memory_bytes"] < info["memory_limit_bytes"] == 3 << 30
    assert main(["info", str(tmp_path / "big.tz")]) == 0
    out = capsys.readouterr().out
    assert "memory to decode 4.5 GiB per decoding process" in out and "over the limit of 3.0 GiB: decode with --memlimit 4.5GiB" in out


def test_a_label_stream_is_not_held_to_the_byte_codecs_fingerprint_rules(tmp_path, capsys):
    """A label stream may record any thread count (the byte codec's settings allow 1-64): `info` and
    `-l` describe it, and say its numerics differ from this machine's, rather than refuse it."""
    from trainzip.container import Block, Container, pack

    metadata = {"kind": "labels", "labels_version": 1, "num_classes": 10, "fingerprint": {"threads": 96}}
    (tmp_path / "labels.tz").write_bytes(pack(Container(metadata, 3, bytes(8), [Block(3, b"\x01\x02")])))
    assert main(["info", "--json", str(tmp_path / "labels.tz")]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["kind"] == "labels" and info["numerics_match_this_machine"] is False
    assert info["decode_memory_bytes"] is None
    assert main(["-l", str(tmp_path / "labels.tz")]) == 0
