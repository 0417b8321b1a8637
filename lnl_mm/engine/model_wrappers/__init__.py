from .lntl_distributed_data_parallel import LNTLDistributedDataParallel

__all__ = ['LNTLDistributedDataParallel']
