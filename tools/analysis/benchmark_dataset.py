"""Time building the three splits of Colored MNIST, as a launch does.

Each build runs in a fresh Python process, so nothing read or computed by an
earlier build helps it; the times cover reading the source and generating
train, val and test in memory (as the shipped configs do: val coloured like
test), not the imports.

Example::

    python tools/analysis/benchmark_dataset.py --data-root data/mnist
    python tools/analysis/benchmark_dataset.py --source sample --repeats 5
"""
import argparse
import json
import os
import subprocess
import sys
import time

from mmengine.config import DictAction


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--data-root', default='data/mnist',
                        help='folder of the IDX files (default: data/mnist)')
    parser.add_argument('--source', default='idx',
                        help='ColoredMNIST source (default: idx)')
    parser.add_argument('--repeats', type=int, default=3,
                        help='builds to time, each in a new process')
    parser.add_argument('--dataset-options', nargs='+', action=DictAction,
                        default={}, help='other ColoredMNIST arguments')
    parser.add_argument('--child', help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def build_all(data_root, source, options):
    """Build the three splits; return their timings (s) and sizes."""
    from lnl_mm.datasets import ColoredMNIST
    timings, sizes = {}, {}
    start, start_cpu = time.perf_counter(), time.process_time()
    for split in ('train', 'val', 'test'):
        t0 = time.perf_counter()
        kwargs = dict(val_protocol='test') if split == 'val' else {}
        kwargs.update(options)
        dataset = ColoredMNIST(data_root=data_root, split=split,
                               source=source, **kwargs)
        timings[split] = time.perf_counter() - t0
        sizes[split] = len(dataset)
    timings['all'] = time.perf_counter() - start
    # CPU time is less sensitive than wall time to other load on the host
    timings['all_cpu'] = time.process_time() - start_cpu
    return dict(timings=timings, sizes=sizes)


def main(argv=None):
    args = parse_args(argv)
    if args.child:
        print(json.dumps(build_all(**json.loads(args.child))))
        return None
    child = json.dumps(dict(data_root=args.data_root, source=args.source,
                            options=args.dataset_options))
    print(f'load average before: {os.getloadavg()[0]:.2f} on '
          f'{os.cpu_count()} CPUs')
    results = []
    for i in range(args.repeats):
        out = subprocess.run([sys.executable, __file__, '--child', child],
                             check=True, capture_output=True,
                             text=True).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))
        print(f'build {i + 1}: digits per split {results[-1]["sizes"]}; '
              's: ' + ', '.join(f'{k}={v:.3f}'
                                for k, v in results[-1]['timings'].items()))
    return results


if __name__ == '__main__':
    main()
