"""Named levels a user picks with --level: each a fixed, tested, recorded configuration.

The same presets serve every input; nothing here is tuned to one file.
"""

from __future__ import annotations

from trainzip.codec.settings import CodecConfig
from trainzip.errors import FormatError, TrainzipError
from trainzip.models.context_mixing import ContextMixingConfig
from trainzip.models.network.config import NetworkConfig

LEVELS: dict[str, CodecConfig] = {
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


def settings_record(config: CodecConfig) -> dict:
    """The settings as a file records them: a named level by its name alone, anything else in full.

    A level's settings are part of the format version (tests/test_presets.py pins them), so its
    name is enough to rebuild it; on a small file the full record would cost more than 1% of it.
    """
    if LEVELS.get(config.level) == config:
        return {"level": config.level}
    return config.to_dict()


def settings_from_record(record: dict) -> CodecConfig:
    """Rebuild the settings a file recorded (see `settings_record`)."""
    if set(record) == {"level"}:
        if record["level"] not in LEVELS:
            raise FormatError(f"the file names a level this trainzip does not have ({record['level']!r})")
        return LEVELS[record["level"]]
    return CodecConfig.from_dict(record)


def preset(level: str) -> CodecConfig:
    """The configuration of a named level."""
    try:
        return LEVELS[level]
    except KeyError:
        raise TrainzipError(f"unknown level {level!r} (choose from {', '.join(LEVELS)})") from None
