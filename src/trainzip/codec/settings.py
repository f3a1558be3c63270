"""The codec's settings: one frozen dataclass, written into every file by stable names.

Everything that changes the bitstream is here, so `decompress` needs no options: it rebuilds the
exact learner from the file's header.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from trainzip.errors import FormatError
from trainzip.models.context_mixing import ContextMixingConfig
from trainzip.models.network.config import NetworkConfig
from trainzip.settings_fields import Field, build, check_fields


@dataclass(frozen=True, kw_only=True)
class CodecConfig:
    """How a byte stream is coded: model, stream count, seed, threads, block size."""

    level: str = "custom"
    streams: int = 16  # parallel streams per block (fewer for small blocks, see streams_for)
    min_segment: int = 4096  # a stream gets at least this many bytes before another is added
    seed: int = 0
    threads: int = 1
    block_size: int = 1 << 24  # bytes per independently coded block
    context_mixing: ContextMixingConfig = ContextMixingConfig()
    network: NetworkConfig | None = NetworkConfig()
    network_min_bytes: int = 1 << 16  # smaller blocks are coded by the count models alone
    single_stream_below: int = 1 << 16  # smaller blocks are coded as one stream (one unbroken history)

    def uses_network(self, block_length: int) -> bool:
        """Whether the network joins the mix for a block: on a few kB it cannot learn enough to pay its way."""
        return self.network is not None and block_length >= self.network_min_bytes

    @property
    def network_is_exact(self) -> bool:
        """Whether the code is the same on every machine: no network, or the exact one."""
        return self.network is None or self.network.machine_independent

    def __post_init__(self):
        check_fields(self, FIELDS)
        if not isinstance(self.context_mixing, ContextMixingConfig):
            raise ValueError("context_mixing must be the count model's settings")
        if self.network is not None and not isinstance(self.network, NetworkConfig):
            raise ValueError("network must be the network's settings, or null")

    def streams_for(self, block_length: int) -> int:
        """Streams used for a block: small blocks use fewer, so each stream has context to learn from."""
        if block_length < self.single_stream_below:
            return 1
        return max(1, min(self.streams, block_length // self.min_segment))

    def to_dict(self) -> dict:
        """Plain JSON-ready settings, by field name."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, settings: dict) -> CodecConfig:
        """Rebuild the settings recorded in a file, checked field by field: an unknown name, a value of
        the wrong kind or out of range is a format error naming the field; a missing name takes its
        default, the meaning it had for the release that did not yet have it."""
        try:
            if not isinstance(settings, dict):
                raise ValueError(f"settings must be an object (got {type(settings).__name__})")
            fields = dict(settings)
            if "context_mixing" in fields:
                fields["context_mixing"] = build(ContextMixingConfig, fields["context_mixing"], "context_mixing.")
            if fields.get("network") is not None:
                fields["network"] = build(NetworkConfig, fields["network"], "network.")
            return build(cls, fields)
        except ValueError as error:
            raise FormatError(f"the file's settings are not valid: {error}") from None

    def replace(self, **changes) -> CodecConfig:
        """A copy with some settings changed."""
        return dataclasses.replace(self, **changes)


FIELDS = {
    "level": Field(str, 1, 32),
    "streams": Field(int, 1, 256),
    "min_segment": Field(int, 1, 1 << 30),
    "seed": Field(int, 0, (1 << 63) - 1),
    "threads": Field(int, 1, 64),
    "block_size": Field(int, 1, 1 << 30),
    "network_min_bytes": Field(int, 0, 1 << 62),
    "single_stream_below": Field(int, 0, 1 << 62),
}
"""What each setting may hold (the nested models check their own)."""
