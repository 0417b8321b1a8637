"""A rank of the 2-process download test (spawned by
test_mnist_download.py): builds ColoredMNIST(source='auto', download=True)
inside a gloo process group and records what it got. ``root`` may hold
``{rank}`` for per-rank folders (machines without a shared file system)."""
import datetime
import json
import os
import os.path as osp

import torch.distributed as dist
from dist_testutils import mark_rank_finished


def run_rank(rank, world_size, port, root, mirror, out_dir):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    # a rank stuck in a collective fails the test instead of hanging it
    dist.init_process_group('gloo', rank=rank, world_size=world_size,
                            timeout=datetime.timedelta(seconds=60))
    root = root.format(rank=rank)
    try:
        from torchvision.datasets import MNIST

        from lnl_mm.datasets import ColoredMNIST
        MNIST.resources = [
            tuple(r) for r in json.loads(os.environ['LNL_MM_TEST_RESOURCES'])]
        dataset = ColoredMNIST(data_root=root, download=True, mirrors=[mirror],
                               download_timeout=2, num_val=10, split='test')
        with open(osp.join(out_dir, f'rank{rank}.json'), 'w') as f:
            json.dump(dict(source=dataset.metainfo['source'],
                           size=len(dataset)), f)
        mark_rank_finished(out_dir, rank)
        dist.barrier()
    finally:
        dist.destroy_process_group()
