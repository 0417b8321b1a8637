import math
from typing import Iterator, Optional, Sized

import torch
from mmengine.dataset import DefaultSampler
from mmpretrain.registry import DATA_SAMPLERS

from ...utils.arg_checks import check_int


@DATA_SAMPLERS.register_module()
class EpochLengthSampler(DefaultSampler):
    """``DefaultSampler`` whose epochs draw at least ``min_length`` samples.

    A dataset shorter than ``min_length`` is passed over
    ``k = ceil(min_length / len(dataset))`` times per epoch: every sample
    ``k`` times, in one shuffled order (sample ``i`` stands at the positions
    ``i``, ``i + len``, ... of a permutation of ``k * len``). So a schedule
    counted in epochs takes about as many iterations on a small stand-in
    dataset as on the full one; e.g. the 3,500 training digits of the
    embedded MNIST sample make epochs of 56,000 draws, MNIST's 55,000.

    A dataset of at least ``min_length`` samples, or ``min_length=None``,
    gives ``DefaultSampler`` exactly: the same indices, in the same order,
    for every seed, epoch and rank.

    Args:
        dataset (Sized): The dataset.
        shuffle (bool): Shuffle every epoch. Defaults to True.
        seed (int, optional): Shuffling seed, the same in all processes;
            None draws one and shares it (as ``DefaultSampler``).
        round_up (bool): Pad to a multiple of the world size (as
            ``DefaultSampler``). Defaults to True.
        min_length (int, optional): Fewest draws per epoch. Defaults to
            None (no minimum).
    """

    def __init__(self,
                 dataset: Sized,
                 shuffle: bool = True,
                 seed: Optional[int] = None,
                 round_up: bool = True,
                 min_length: Optional[int] = None) -> None:
        if min_length is not None:
            check_int('min_length', min_length, low=1,
                      owner='EpochLengthSampler',
                      hint='the fewest samples drawn per epoch, e.g. 55000 '
                      "(MNIST's training split); None for no minimum")
        super().__init__(dataset, shuffle=shuffle, seed=seed,
                         round_up=round_up)
        self.min_length = min_length
        self.repeats = repeats_per_epoch(len(dataset), min_length)
        length = len(dataset) * self.repeats
        if self.round_up:
            self.num_samples = math.ceil(length / self.world_size)
            self.total_size = self.num_samples * self.world_size
        else:
            self.num_samples = math.ceil(
                (length - self.rank) / self.world_size)
            self.total_size = length

    def __iter__(self) -> Iterator[int]:
        if self.repeats == 1:
            return super().__iter__()
        size = len(self.dataset)
        length = size * self.repeats
        if self.shuffle:
            generator = torch.Generator()
            generator.manual_seed(self.seed + self.epoch)
            order = torch.randperm(length, generator=generator)
        else:
            order = torch.arange(length)
        indices = (order % size).tolist()
        if self.round_up:
            indices = (indices * (self.total_size // length + 1)
                       )[:self.total_size]
        return iter(indices[self.rank:self.total_size:self.world_size])


def repeats_per_epoch(dataset_length: int,
                      min_length: Optional[int]) -> int:
    """Passes over a dataset of ``dataset_length`` samples that make an
    epoch of at least ``min_length`` draws (1 for no minimum)."""
    if min_length is None or dataset_length == 0:
        return 1
    return max(1, math.ceil(min_length / dataset_length))
