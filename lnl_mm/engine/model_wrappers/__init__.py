from .cpu_sync_batchnorm import (CPUSyncBatchNorm,
                                 convert_cpu_sync_batchnorm)
from .lntl_distributed_data_parallel import (LNTLDistributedDataParallel,
                                             average_bn_buffers,
                                             unsynced_bn_layers)

__all__ = [
    'CPUSyncBatchNorm', 'LNTLDistributedDataParallel', 'average_bn_buffers',
    'convert_cpu_sync_batchnorm', 'unsynced_bn_layers'
]
