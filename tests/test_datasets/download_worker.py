"""A rank of the 2-process download test (spawned by
test_mnist_download.py): builds ColoredMNIST(source='auto', download=True)
inside a gloo process group and records what it got. ``root`` may hold
``{rank}`` for per-rank folders (machines without a shared file system)."""
import json
import os
import os.path as osp

from dist_testutils import gloo_process_group


def run_rank(rank, world_size, port, root, mirror, out_dir):
    root = root.format(rank=rank)
    with gloo_process_group(rank, world_size, port, out_dir, timeout_s=60):
        from torchvision.datasets import MNIST

        from lnl_mm.datasets import ColoredMNIST
        MNIST.resources = [
            tuple(r) for r in json.loads(os.environ['LNL_MM_TEST_RESOURCES'])]
        dataset = ColoredMNIST(data_root=root, download=True, mirrors=[mirror],
                               download_timeout=2, num_val=10, split='test')
        with open(osp.join(out_dir, f'rank{rank}.json'), 'w') as f:
            json.dump(dict(source=dataset.metainfo['source'],
                           size=len(dataset)), f)
