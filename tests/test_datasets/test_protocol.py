"""Seeding, stratified hold-out and bias-label assignment."""
import numpy as np
import pytest

from lnl_mm.datasets.protocol import (draw_bias_labels, make_rng,
                                      resolve_num_holdout, stable_seed,
                                      stratified_holdout)


def test_stable_seed_is_fixed_across_runs_and_machines():
    # A literal: Python's hash() would change with PYTHONHASHSEED.
    assert stable_seed('colored_mnist', 0, 'train') == \
        0xc3fe9218c4257a3b396b18d1bbda8aa7
    assert stable_seed('a', 1) == stable_seed('a', 1)
    assert stable_seed('a', 1) != stable_seed('a', 2)
    assert make_rng('x').integers(1 << 30) == make_rng('x').integers(1 << 30)


def test_stratified_holdout_proportional_and_seeded():
    labels = np.repeat(np.arange(10), [100, 50] * 5)
    mask = stratified_holdout(labels, 75, seed=0)
    assert mask.sum() == 75
    per_class = np.bincount(labels[mask], minlength=10)
    np.testing.assert_array_equal(per_class, [10, 5] * 5)
    assert abs(per_class[0] / 100 - per_class[1] / 50) <= 0.05
    np.testing.assert_array_equal(mask, stratified_holdout(labels, 75, 0))
    assert not np.array_equal(mask, stratified_holdout(labels, 75, 1))


def test_resolve_num_holdout():
    assert resolve_num_holdout(0.1, 600, 'num_val') == 60
    assert resolve_num_holdout(60, 600, 'num_val') == 60
    with pytest.raises(ValueError, match='num_val=600'):
        resolve_num_holdout(600, 600, 'num_val')
    with pytest.raises(ValueError, match='num_val=1.5'):
        resolve_num_holdout(1.5, 600, 'num_val')


def test_draw_bias_labels():
    labels = np.arange(1000) % 10
    rng = make_rng('t')
    aligned = draw_bias_labels(rng, labels, aligned=True)
    np.testing.assert_array_equal(aligned, labels)
    conflict = draw_bias_labels(rng, labels, True, conflict_ratio=0.25)
    assert (conflict != labels).sum() == 250
    assert conflict.min() >= 0 and conflict.max() <= 9
    random = draw_bias_labels(rng, labels, aligned=False)
    assert 0.05 < (random == labels).mean() < 0.15
