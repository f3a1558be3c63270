"""Label bitstreams: a dataset's labels coded given its inputs, or token sequences coded by a causal
LM; both decoded by replaying training."""

from trainzip.labels.codec import decode_labels, encode_labels, read_settings
from trainzip.labels.learner import LabelLearner
from trainzip.labels.schedule import Schedule
from trainzip.labels.sequence_learner import SequenceLearner
from trainzip.labels.tokens import decode_tokens, encode_tokens, read_token_settings

__all__ = ["LabelLearner", "Schedule", "SequenceLearner", "decode_labels", "decode_tokens", "encode_labels",
           "encode_tokens", "read_settings", "read_token_settings"]
