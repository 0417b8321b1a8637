"""EpochLengthSampler: DefaultSampler exactly on a long dataset, whole
passes of a short one per epoch otherwise."""
import os.path as osp
from collections import Counter

import pytest
from mmengine.dataset import DefaultSampler
from mmengine.dataset import sampler as mmengine_sampler
from mmengine.registry import init_default_scope
from mmpretrain.registry import DATA_SAMPLERS

import lnl_mm  # noqa: F401
from lnl_mm.datasets import EpochLengthSampler

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


def indices(sampler, epoch):
    sampler.set_epoch(epoch)
    return list(sampler)


def on_rank(monkeypatch, rank, world_size):
    monkeypatch.setattr(mmengine_sampler, 'get_dist_info',
                        lambda: (rank, world_size))


@pytest.mark.parametrize('shuffle', [True, False])
@pytest.mark.parametrize('round_up', [True, False])
@pytest.mark.parametrize('world_size', [1, 3])
@pytest.mark.parametrize('min_length', [None, 1, 1000])
def test_a_dataset_at_least_min_length_is_sampled_as_default_sampler(
        monkeypatch, shuffle, round_up, world_size, min_length):
    dataset = range(1000)
    for rank in range(world_size):
        on_rank(monkeypatch, rank, world_size)
        ours = EpochLengthSampler(dataset, shuffle=shuffle, seed=7,
                                  round_up=round_up, min_length=min_length)
        default = DefaultSampler(dataset, shuffle=shuffle, seed=7,
                                 round_up=round_up)
        assert len(ours) == len(default)
        for epoch in range(3):
            assert indices(ours, epoch) == indices(default, epoch)


def test_a_short_dataset_is_drawn_min_length_times_per_epoch():
    sampler = EpochLengthSampler(range(350), seed=3, min_length=5525)
    assert len(sampler) == 5525
    first, second = indices(sampler, 0), indices(sampler, 1)
    # 5525 = 15 x 350 + 275: every sample 15 times, 275 of them 16 times
    counts = Counter(first)
    assert set(counts) == set(range(350))
    assert Counter(counts.values()) == {15: 75, 16: 275}
    # the order, and which samples are drawn once more, change by epoch
    assert Counter(second) != counts and second != first
    # one shuffled order, not 15 back-to-back passes
    assert len(set(first[:350])) < 350
    assert indices(sampler, 0) == first  # deterministic per seed and epoch


def test_a_short_dataset_without_shuffle_repeats_in_order():
    sampler = EpochLengthSampler(range(4), shuffle=False, min_length=10)
    assert list(sampler) == [0, 1, 2, 3] * 2 + [0, 1]


@pytest.mark.parametrize('round_up', [True, False])
def test_ranks_share_the_lengthened_epoch(monkeypatch, round_up):
    world_size, parts = 3, []
    for rank in range(world_size):
        on_rank(monkeypatch, rank, world_size)
        sampler = EpochLengthSampler(range(100), seed=5, round_up=round_up,
                                     min_length=1000)
        parts.append(indices(sampler, 2))
        assert len(parts[-1]) == len(sampler)
    counts = Counter(i for part in parts for i in part)
    assert set(counts) == set(range(100))
    # 1,000 draws: with round-up padded to 1,002 (two samples once more)
    assert sum(counts.values()) == (1002 if round_up else 1000)
    assert max(counts.values()) - min(counts.values()) <= 1


@pytest.mark.parametrize('min_length', [0, -5, 2.5, '100', True])
def test_a_bad_min_length_is_named(min_length):
    with pytest.raises(ValueError, match='min_length'):
        EpochLengthSampler(range(10), min_length=min_length)


def test_the_colored_mnist_config_makes_sample_epochs_as_long_as_mnist():
    """The shipped dataset config: an epoch of the 3,500-digit sample has
    as many iterations as one of MNIST's 55,000 training digits (430)."""
    from mmengine.config import Config
    from mmengine.runner import Runner

    init_default_scope('mmpretrain')
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'lnl_cmnist.py'))
    loader_cfg = cfg.train_dataloader
    loader_cfg.dataset.source = 'sample'
    loader_cfg.update(num_workers=0, persistent_workers=False)
    loader = Runner.build_dataloader(loader_cfg, seed=0)
    assert len(loader.dataset) == 3500
    assert isinstance(loader.sampler, EpochLengthSampler)
    assert len(loader.sampler) == 55000 and len(loader) == 430
    assert DATA_SAMPLERS.get('EpochLengthSampler') is EpochLengthSampler
