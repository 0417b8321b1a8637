from .epoch_length_sampler import EpochLengthSampler

__all__ = ['EpochLengthSampler']
