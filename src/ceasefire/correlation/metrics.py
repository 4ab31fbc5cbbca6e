"""Clustering quality against ground truth: pairwise precision, recall and F1, and B-cubed F1.

Written here (a few lines of numpy) so the runtime does not need scikit-learn; the tests check the
pairwise counts against scikit-learn's pair_confusion_matrix.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray


@dataclass(frozen=True, slots=True)
class Quality:
    """How well predicted clusters match the true ones."""

    pairwise_precision: float
    pairwise_recall: float
    pairwise_f1: float
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float

    def as_dict(self) -> dict[str, float]:
        return {k: round(v, 5) for k, v in asdict(self).items()}


def _dense(labels: ArrayLike) -> NDArray[np.int64]:
    return np.unique(np.asarray(labels), return_inverse=True)[1].astype(np.int64).ravel()


def _f1(p: float, r: float) -> float:
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def pair_counts(truth: ArrayLike, predicted: ArrayLike) -> tuple[int, int, int]:
    """Pairs together in both, together in the prediction only, together in the truth only."""
    t, p = _dense(truth), _dense(predicted)
    joint = np.unique(t * (int(p.max()) + 1) + p, return_counts=True)[1].astype(np.int64)
    both = int((joint * (joint - 1) // 2).sum())
    pred_sizes = np.bincount(p).astype(np.int64)
    true_sizes = np.bincount(t).astype(np.int64)
    pred_pairs = int((pred_sizes * (pred_sizes - 1) // 2).sum())
    true_pairs = int((true_sizes * (true_sizes - 1) // 2).sum())
    return both, pred_pairs - both, true_pairs - both


def quality(truth: ArrayLike, predicted: ArrayLike) -> Quality:
    """Pairwise and B-cubed precision, recall and F1 of a clustering."""
    t, p = _dense(truth), _dense(predicted)
    both, false_pos, false_neg = pair_counts(t, p)
    precision = both / (both + false_pos) if both + false_pos else 1.0
    recall = both / (both + false_neg) if both + false_neg else 1.0
    joint_id = t * (int(p.max()) + 1) + p
    _, inverse, joint = np.unique(joint_id, return_inverse=True, return_counts=True)
    overlap = joint[inverse.ravel()].astype(np.float64)
    b_precision = float(np.mean(overlap / np.bincount(p)[p]))
    b_recall = float(np.mean(overlap / np.bincount(t)[t]))
    return Quality(
        precision, recall, _f1(precision, recall), b_precision, b_recall, _f1(b_precision, b_recall)
    )
