"""Label bitstreams: a dataset's labels coded given its inputs (by blocks, or fed from a user's own loop),
or token sequences coded by a causal LM; all decoded by replaying training."""

from trainzip.labels.codec import decode_labels, encode_labels, read_settings
from trainzip.labels.learner import LabelLearner
from trainzip.labels.loop_stream import LabelDecoder, LabelEncoder
from trainzip.labels.schedule import Schedule
from trainzip.labels.sequence_learner import SequenceLearner
from trainzip.labels.tokens import decode_tokens, encode_tokens, read_token_settings

__all__ = ["LabelDecoder", "LabelEncoder", "LabelLearner", "Schedule", "SequenceLearner", "decode_labels",
           "decode_tokens", "encode_labels", "encode_tokens", "read_settings", "read_token_settings"]
