import math
from typing import Iterator, Optional, Sized

import torch
from mmengine.dataset import DefaultSampler
from mmengine.logging import print_log
from mmpretrain.registry import DATA_SAMPLERS

from ...utils.arg_checks import check_int


@DATA_SAMPLERS.register_module()
class EpochLengthSampler(DefaultSampler):
    """``DefaultSampler`` whose epochs draw at least ``min_length`` samples.

    From a dataset shorter than ``min_length``, each epoch draws exactly
    ``min_length`` samples, in one shuffled order: every sample
    ``min_length // len(dataset)`` times, and a random
    ``min_length % len(dataset)`` of them once more. So a schedule counted in
    epochs takes as many iterations on a small stand-in dataset as on the
    full one; e.g. the 3,500 training digits of the embedded MNIST sample
    give epochs of MNIST's 55,000 draws (every digit 15 or 16 times).

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
        self.epoch_length = max(len(dataset), min_length or 0)
        if self.epoch_length > len(dataset):
            print_log(
                f'EpochLengthSampler: the dataset has {len(dataset)} '
                f'samples, fewer than min_length={min_length}, so each '
                f'epoch draws {self.epoch_length} of them (every sample '
                f'{self.epoch_length // len(dataset)} or '
                f'{math.ceil(self.epoch_length / len(dataset))} times).',
                logger='current')
            if self.round_up:
                self.num_samples = math.ceil(self.epoch_length /
                                             self.world_size)
                self.total_size = self.num_samples * self.world_size
            else:
                self.num_samples = math.ceil(
                    (self.epoch_length - self.rank) / self.world_size)
                self.total_size = self.epoch_length

    def __iter__(self) -> Iterator[int]:
        size = len(self.dataset)
        if self.epoch_length == size:
            return super().__iter__()
        passes, extra = divmod(self.epoch_length, size)
        if self.shuffle:
            generator = torch.Generator()
            generator.manual_seed(self.seed + self.epoch)
            pool = torch.cat([
                torch.arange(size).repeat(passes),
                torch.randperm(size, generator=generator)[:extra]
            ])
            pool = pool[torch.randperm(len(pool), generator=generator)]
        else:
            pool = torch.cat([torch.arange(size).repeat(passes),
                              torch.arange(extra)])
        indices = pool.tolist()
        if self.round_up:
            indices = (indices * (self.total_size // len(indices) + 1)
                       )[:self.total_size]
        return iter(indices[self.rank:self.total_size:self.world_size])
