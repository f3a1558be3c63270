"""Label bitstreams: a dataset's labels coded given its inputs, decoded by replaying training."""

from trainzip.labels.codec import decode_labels, encode_labels, read_settings
from trainzip.labels.learner import LabelLearner
from trainzip.labels.schedule import Schedule

__all__ = ["LabelLearner", "Schedule", "decode_labels", "encode_labels", "read_settings"]
