"""Control tasks: labels with the real task's label counts or marginal but no meaning in the features.

A probe's code on the real labels means little until it is held against a control (Hewitt &
Liang 2019). Each is deterministic given a seed:

- ``shuffle``: the labels permuted; same counts, no relation to the features at all.
- ``clusters``: Hewitt & Liang's control task: each input cluster (k-means over the
  standardised features) gets one fixed random label drawn from the labels' empirical
  distribution. The labels are then a function of the input, learnable by memorising, but of
  none of its meaning: what a probe codes well here its capacity did, not the features' structure.
- ``inputs``: the same with each distinct input row as its own cluster (for discrete inputs,
  the word types of Hewitt & Liang).
"""

from __future__ import annotations

import numpy as np

from trainzip.probing.online_code import standardize

CONTROL_TASKS = ("shuffle", "clusters", "inputs")
KMEANS_ITERATIONS = 50  # Lloyd steps: fixed, so a control is the same task on every machine


def control_labels(features: np.ndarray, labels: np.ndarray, task: str, seed: int, *, clusters: int = 50) -> np.ndarray:
    """The control task's labels (N,) for ``task``: ``shuffle``, ``clusters`` (k-means) or ``inputs`` (distinct rows)."""
    labels = np.asarray(labels, dtype=np.int64)
    rng = np.random.default_rng(seed)
    if task == "shuffle":
        return rng.permutation(labels)
    if task == "clusters":
        groups = kmeans_clusters(features, clusters, rng)
    elif task == "inputs":
        groups = np.unique(np.asarray(features), axis=0, return_inverse=True)[1].reshape(-1)
    else:
        raise ValueError(f"unknown control task {task!r}; choose one of {', '.join(CONTROL_TASKS)}")
    label_of_group = rng.choice(labels, size=int(groups.max()) + 1)  # from the empirical marginal
    return label_of_group[groups]


def kmeans_clusters(features: np.ndarray, clusters: int, rng: np.random.Generator) -> np.ndarray:
    """(N,) cluster index of each row: k-means++ seeding, then a fixed number of Lloyd steps."""
    x = standardize(features).astype(np.float64)
    if not 1 <= clusters <= len(x):
        raise ValueError(f"need 1 <= clusters <= N = {len(x)}, got {clusters}")
    centres = x[[rng.integers(len(x))]]
    for _ in range(clusters - 1):
        distance = _squared_distances(x, centres).min(axis=1)
        weights = distance / distance.sum() if distance.sum() > 0 else np.full(len(x), 1 / len(x))
        centres = np.vstack([centres, x[rng.choice(len(x), p=weights)]])
    for _ in range(KMEANS_ITERATIONS):
        assignment = _squared_distances(x, centres).argmin(axis=1)
        for k in range(clusters):
            members = x[assignment == k]
            if len(members):  # an emptied cluster keeps its centre
                centres[k] = members.mean(axis=0)
    return _squared_distances(x, centres).argmin(axis=1)


def _squared_distances(x: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """(N, k) squared Euclidean distance of each row to each centre (clipped at 0 against rounding)."""
    expanded = (x**2).sum(axis=1)[:, None] - 2 * x @ centres.T + (centres**2).sum(axis=1)[None, :]
    return np.maximum(expanded, 0.0)
