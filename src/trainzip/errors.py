"""Errors a user can cause; the CLI prints them as one line, never as a traceback."""


class TrainzipError(Exception):
    """Base class: anything trainzip reports to a user as a clean one-line error."""


class FormatError(TrainzipError):
    """The input is not a valid trainzip file (foreign, truncated or corrupt)."""


class VersionError(TrainzipError):
    """The file was written by a format version this build cannot read."""


class FingerprintError(TrainzipError):
    """The numerics this machine would use differ from those the file was written with."""


class IntegrityError(TrainzipError):
    """Decoding finished but the result does not match the recorded checksum or length."""


class InputError(TrainzipError, ValueError):
    """Logits or targets that cannot be scored as a code: non-finite, probabilities, out of range, misshapen."""


class ResumeError(TrainzipError):
    """A resumed run would meter a sample twice or skip one; its totals would not be the run's."""


class TrainingMismatchError(TrainzipError):
    """The model or training given to a decoder differs from the encoder's (named in the message)."""


class MemoryLimitError(TrainzipError):
    """Decoding a file would need more memory than the decoder's limit allows (`--memlimit`)."""


class CoverageWarning(UserWarning):
    """A callback's run metered less of its data than the epochs it meters (stopped early, or a resume
    skipped batches): its totals are a share of the dataset's, and the record says which share."""
