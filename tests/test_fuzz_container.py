"""The structure-aware fuzzer (tests/fuzz_container.py) for a fixed, derandomized budget: every
crafted file (valid CRCs; versions 7 and 6; mutated settings, lengths, flags, payloads, CRCs,
block counts) ends in a one-line TrainzipError or decodes to exactly the honest original, each
case within its time bound, the process's memory bounded."""

from tests import fuzz_container

SUITE_CASES = 2000
PEAK_RSS_MB = 1500  # this process's own: PyTorch, Numba and Hypothesis loaded, and the largest honest tables


def test_crafted_containers_are_refused_in_one_line_or_decode_honestly():
    """The fuzzer's budget runs clean: no traceback, no hang, no output other than the honest one;
    both refusals and honest decodings are among the outcomes (so the cases reach the decoder)."""
    tally = fuzz_container.TALLY
    fuzz_container.fuzz_test(SUITE_CASES, derandomize=True)()
    assert tally.cases >= SUITE_CASES
    assert tally.outcomes["decoded to the honest original"] > 0
    assert any(kind.startswith("IntegrityError") for kind in tally.outcomes)  # some reached a decoded block
    assert tally.max_seconds < fuzz_container.CASE_SECONDS
    assert fuzz_container.peak_rss_mb() < PEAK_RSS_MB
