"""The structure-aware fuzzer (tests/fuzz_container.py) for a fixed, derandomized budget: every
crafted file (valid CRCs where the mutation is not of a CRC; format 7 taken apart frame by frame,
and versions 7 and 6 repacked from a parsed container) ends in a one-line TrainzipError or decodes
to exactly the honest original, each case within its time bound, the process's memory bounded; a
sample of the files of several frames decodes the same way on a pool of 2 workers."""

import collections

from trainzip.errors import TrainzipError

from tests import fuzz_container

SUITE_CASES = 2000
POOL_EVERY = 150  # about 8 of the suite's cases also on the pool (each refusal there restarts its workers: ~3 s)


def test_crafted_containers_are_refused_in_one_line_or_decode_honestly():
    """The fuzzer's budget runs clean: no traceback, no hang, no output other than the honest one;
    every family has cases; both refusals and honest decodings are among the outcomes, and the
    frame-level families reach each block's CRC-32 and the digest (their CRCs are written valid)."""
    tally = fuzz_container.TALLY
    tally.pool_every = POOL_EVERY
    try:
        for source in fuzz_container.framed_sources():  # the pool's decoding path, on honest files first
            fuzz_container.check_case(fuzz_container.Case("honest", source.original, source.blob, len(source.frames)),
                                      on_pool=True)
        fuzz_container.fuzz_test(SUITE_CASES, derandomize=True)()
    finally:
        fuzz_container.close_pool()
    assert tally.cases >= SUITE_CASES
    assert set(fuzz_container.FAMILIES) <= set(tally.families)
    assert tally.outcomes[fuzz_container.DECODED] > 0
    frame_level = sum((tally.families[family] for family in fuzz_container.FRAME_FAMILIES), collections.Counter())
    assert any(kind.startswith("IntegrityError: block N does not decode") for kind in frame_level)
    assert any(kind.startswith("IntegrityError: decoded data does not match") for kind in frame_level)
    assert tally.pool_outcomes[fuzz_container.DECODED] >= len(fuzz_container.framed_sources())
    assert sum(tally.pool_outcomes.values()) > len(fuzz_container.framed_sources())  # some crafted ones too
    assert tally.max_seconds < fuzz_container.CASE_SECONDS
    assert not tally.over_bound, tally.over_bound
    assert fuzz_container.peak_rss_mb() < fuzz_container.PEAK_RSS_MB


def test_the_oracle_refuses_a_wrong_decoding():
    """The fuzzer's oracle itself: a file that decodes to other bytes than the case's original
    fails the case (so a clean run means something)."""
    source = fuzz_container.framed_sources()[0]
    other = fuzz_container.Case("honest", source.original[:-1] + b"?", source.blob, len(source.frames))
    try:
        fuzz_container.check_case(other)
    except AssertionError as error:
        assert "other bytes than the honest original" in str(error)
    else:
        raise AssertionError("a wrong decoding passed the oracle")
    assert not issubclass(fuzz_container.Hang, (TrainzipError, TimeoutError))  # nothing takes a hang for a refusal
