"""Named levels a user picks with --level, and every revision of them a release ever wrote.

A file records a level by name (and revision), not by its settings, so what a (name, revision)
stands for is fixed forever: a better `default` is a new revision appended to `HISTORY`, and
`--level default` picks the newest, while files of the older revision decode as they always did.
The same presets serve every input; nothing here is tuned to one file.
"""

from __future__ import annotations

from dataclasses import dataclass

from trainzip.codec.settings import CodecConfig
from trainzip.errors import FormatError, TrainzipError
from trainzip.models.context_mixing import ContextMixingConfig
from trainzip.models.network.config import EXACT_LSTM, NetworkConfig

_RELEASE_0_6 = {
    # eight contexts, six mixers, two SSE stages, no network: the quickest learner, still far below xz -9e
    "fast": CodecConfig(level="fast", streams=64, min_segment=2048,
                        context_mixing=ContextMixingConfig(contexts=8, mixers=6, sse_stages=2, sse_share=4),
                        network=None),
    # 24 contexts with their run slots, seven mixers, five SSE stages, and a small LSTM trained online
    # whose next-byte distribution joins the mix; 64 streams on large blocks keep the network's steps
    # few. Against this count model the LSTM saves little (0.3.0: 0.02% on alice29, 0.1% on enwik6)
    "default": CodecConfig(level="default", streams=64, min_segment=2048,
                           context_mixing=ContextMixingConfig(contexts=24, mixers=7, run_inputs=True),
                           network=NetworkConfig(hidden=64, embedding=16)),
    # every context, mixer and SSE stage, a probability input and a run input per context besides
    # its stretch, 2x larger tables, one unbroken stream; with this many inputs the mixers settle
    # sooner and lower (rate, boost and decay measured on alice29, asyoulik and the small files).
    # 4x larger tables (table_bits=24) saved 0.03% on enwik6 for 1.6 GB more memory (0.6.0: peak
    # 4,041 MiB against 2,441), too near the 4 GiB the levels keep under.
    # No network: a PyTorch step costs about 1 ms whatever the batch, so a network needs many
    # streams, and the streams cost more than the network gave (alice29, measured while building
    # 0.3.0: 35,594 bytes in 82 s with a 256-unit LSTM over 8 streams, 35,358 in 18 s with neither;
    # 0.4.0, one stream: a 128-unit LSTM saved 0.3% at a tenth of the speed)
    "max": CodecConfig(level="max", streams=1,
                       context_mixing=ContextMixingConfig(probability_inputs=True, run_inputs=True, table_bits=23,
                                                          mixer_rate=6, mixer_boost=80, mixer_decay=128,
                                                          counter_limit=160),
                       network=None),
}


_RELEASE_0_7 = {
    # Revision 2 of default: the same count model with the exact LSTM (float32 IEEE arithmetic, read
    # out bit by bit), so that its files decode on any machine and with any later release. Figures:
    # bench/network_share.py, payload bytes with and without the network.
    # default: in place of PyTorch's LSTM, and cheaper (alice29 in one process, interleaved: 9.3 s
    # CPU against 11.7 s with PyTorch's). Over 64 streams a network learns from few updates, so
    # BPTT over 4 steps at a high rate did best (enwik6's first 300 kB: -61 bytes; 8 steps at 0.02:
    # -7; 128 hidden: -49). It saves 0.13% on enwik6, 0.03% on plrabn12, nothing on the small files
    # (they are coded without it, below 64 KiB).
    "default": _RELEASE_0_6["default"].replace(
        network=NetworkConfig(kind=EXACT_LSTM, hidden=64, embedding=16, bptt=4, learning_rate=0.03)),
    # max keeps revision 1, no network. On one stream the exact LSTM (32 hidden, 16 embedding, BPTT
    # over 10 steps, Adam 0.005) saved 0.035% of max's benchmark total (485,500 payload bytes
    # against 485,672; 0.05% on lcet10 and enwik6, nothing below 64 KiB) for 11-18% more time
    # (medians of interleaved runs on alice29), over the tenth of max's time a level's change may
    # cost; a custom setting can still ask for it.
    # fast has none: default's network would save 0.1-0.5% on the large files (0.51% on enwik6) for
    # twice fast's time.
}


@dataclass(frozen=True)
class Preset:
    """One revision of a named level: what {"level": name, "revision": revision} stands for, forever."""

    name: str
    revision: int
    config: CodecConfig
    release: str  # the release that introduced it

    @property
    def record(self) -> dict:
        """How a file records it; revision 1 by the name alone (as trainzip 0.6 wrote it)."""
        return {"level": self.name} if self.revision == 1 else {"level": self.name, "revision": self.revision}


# Append-only: a revision once released is never changed or removed (tests/test_presets.py pins each).
HISTORY: tuple[Preset, ...] = (tuple(Preset(name, 1, config, "0.6.0") for name, config in _RELEASE_0_6.items())
                               + tuple(Preset(name, 2, config, "0.7.0") for name, config in _RELEASE_0_7.items()))

LEVELS: dict[str, CodecConfig] = {preset.name: preset.config for preset in HISTORY}
"""Each level's newest revision: what --level NAME codes with."""


def settings_record(config: CodecConfig) -> dict:
    """The settings as a file records them: a level's revision by name, anything else in full.

    On a small file the full record would cost more than 1% of it, and a name cannot drift: what
    it stands for is pinned (see `HISTORY`).
    """
    for entry in HISTORY:
        if entry.config == config:
            return entry.record
    return config.to_dict()


def settings_from_record(record: dict) -> CodecConfig:
    """Rebuild the settings a file recorded (see `settings_record`)."""
    if not isinstance(record, dict):
        raise FormatError(f"the file's settings are not valid: they must be an object (got {type(record).__name__})")
    if set(record) in ({"level"}, {"level", "revision"}):
        for entry in HISTORY:
            if entry.record == record:
                return entry.config
        raise FormatError(f"the file names a level this trainzip does not have ({_describe(record)})")
    return CodecConfig.from_dict(record)


def _describe(record: dict) -> str:
    """The level a file names, cut short where a crafted one is long."""
    revision = f", revision {record['revision']!r:.40}" if "revision" in record else ""
    return f"{record['level']!r:.60}{revision}"


def preset(level: str) -> CodecConfig:
    """The configuration of a named level."""
    try:
        return LEVELS[level]
    except KeyError:
        raise TrainzipError(f"unknown level {level!r} (choose from {', '.join(LEVELS)})") from None
