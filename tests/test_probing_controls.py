"""Control tasks: shuffled labels, and Hewitt & Liang's fixed random label per input cluster."""

import json

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits

from trainzip.cli import main
from trainzip.probing import control_labels
from trainzip.probing.controls import kmeans_clusters


@pytest.fixture(autouse=True)
def restore_threads():
    """The command pins PyTorch's thread count; give other tests back what they had."""
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def test_shuffle_keeps_the_label_counts_and_is_fixed_by_its_seed():
    """A shuffled control has the real counts, and the same seed gives the same permutation."""
    _, labels = load_digits(return_X_y=True)
    control = control_labels(None, labels, "shuffle", 7)
    assert np.array_equal(np.bincount(control), np.bincount(labels))
    assert np.array_equal(control, control_labels(None, labels, "shuffle", 7))
    assert not np.array_equal(control, labels)


def test_cluster_control_gives_one_label_per_cluster_deterministically():
    """Each k-means cluster carries one label, drawn from the real labels; the seed fixes clusters and labels."""
    features, labels = load_digits(return_X_y=True)
    control = control_labels(features, labels, "clusters", 3, clusters=20)
    clusters = kmeans_clusters(features, 20, np.random.default_rng(3))
    assert np.array_equal(control, control_labels(features, labels, "clusters", 3, clusters=20))
    assert len(np.unique(clusters)) > 10  # the clustering did split the digits
    for cluster in np.unique(clusters):
        assert len(np.unique(control[clusters == cluster])) == 1
    assert set(np.unique(control)) <= set(np.unique(labels))
    assert not np.array_equal(control, control_labels(features, labels, "clusters", 4, clusters=20))


def test_kmeans_separates_well_separated_blobs():
    """Three tight, far-apart blobs come out as three clusters, each exactly one blob."""
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    blob = np.repeat(np.arange(3), 30)
    points = centres[blob] + rng.normal(scale=0.1, size=(90, 2))
    clusters = kmeans_clusters(points, 3, np.random.default_rng(1))
    assert all(len(np.unique(clusters[blob == b])) == 1 for b in range(3))
    assert len(np.unique(clusters)) == 3


def test_input_control_gives_equal_inputs_equal_labels():
    """For discrete inputs every distinct row (a word type) keeps one label wherever it occurs."""
    rng = np.random.default_rng(5)
    types = rng.integers(0, 12, size=300)
    features = np.stack([types % 4, types // 4], axis=1)
    control = control_labels(features, rng.integers(0, 3, size=300), "inputs", 9)
    for word_type in np.unique(types):
        assert len(np.unique(control[types == word_type])) == 1


def test_unknown_control_task_and_bad_cluster_count_are_refused():
    """Each misuse is a ValueError saying what is wrong."""
    with pytest.raises(ValueError, match="unknown control task"):
        control_labels(np.zeros((4, 1)), np.array([0, 1, 0, 1]), "random", 0)
    with pytest.raises(ValueError, match="clusters"):
        control_labels(np.zeros((4, 1)), np.array([0, 1, 0, 1]), "clusters", 0, clusters=5)


def test_cli_cluster_control_records_its_task_and_the_universal_code(tmp_path, capsys):
    """--control --control-task clusters names the task in the record, beside the universal code's figures."""
    features, labels = load_digits(return_X_y=True)
    path = tmp_path / "digits.npz"
    np.savez(path, X=features[:120], y=labels[:120])
    assert main(["probe", str(path), "--control", "--control-task", "clusters", "--control-clusters", "8",
                 "--schedule", "doubling", "--seeds", "1", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["control"] is True and "input cluster" in record["title"]
    assert record["control_task"]["task"] == "clusters" and record["control_task"]["clusters"] == 8
    assert record["universal_bits"] <= record["uniform_bits"] + record["universal"]["bound_over_uniform_bits"]
