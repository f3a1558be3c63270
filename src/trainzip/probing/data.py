"""Reading a labelled data set for probing: an .npz with features ``X`` and integer labels ``y``."""

from __future__ import annotations

import io
import zipfile

import numpy as np

from trainzip.errors import TrainzipError


def load_npz(data: bytes, name: str = "input") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features (N, d), labels (N,) renumbered 0..K-1, and the K original label values.

    Raises TrainzipError, naming what is wrong, for anything but a well-formed .npz with ``X`` and ``y``.
    """
    try:
        archive = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as error:
        raise TrainzipError(f"{name}: not a NumPy .npz file ({error})") from None
    if not hasattr(archive, "files") or not {"X", "y"} <= set(archive.files):
        raise TrainzipError(f"{name}: needs arrays 'X' (features) and 'y' (integer labels)")
    try:
        features, labels = archive["X"], archive["y"]
    except ValueError as error:  # object arrays: never unpickled from a data file
        raise TrainzipError(f"{name}: X and y must be plain numeric arrays ({error})") from None
    if features.ndim != 2 or labels.ndim != 1 or len(features) != len(labels):
        raise TrainzipError(f"{name}: X must be (N, d) and y (N,), got {features.shape} and {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise TrainzipError(f"{name}: y must hold integer labels, got {labels.dtype}")
    if not np.issubdtype(features.dtype, np.number) or not np.all(np.isfinite(features)):
        raise TrainzipError(f"{name}: X must hold finite numbers")
    classes, renumbered = np.unique(labels, return_inverse=True)
    if len(classes) < 2:
        raise TrainzipError(f"{name}: y has {len(classes)} distinct label(s); probing needs at least 2")
    return features, renumbered.astype(np.int64), classes
