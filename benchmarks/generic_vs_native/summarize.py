"""Tabulate benchmarks/generic_vs_native/run.sh: one row per (method, path,
seed) with the val-selected epoch and test metrics, whether the PNG path
reproduced the native run exactly, and mean ± sample std over seeds.

    python benchmarks/generic_vs_native/summarize.py WORK_ROOT > results.md
"""
import glob
import json
import os.path as osp
import re
import statistics
import sys

KEYS = ('accuracy/top1', 'accuracy/aligned', 'accuracy/conflicting',
        'accuracy/worst_group', 'leakage/probe_accuracy')


def load(root):
    runs = {}
    for path in sorted(glob.glob(osp.join(root, 'runs', '*', '*', 'seed*',
                                          'test_metrics.json'))):
        run_dir = osp.dirname(path)
        method, data_path, seed = run_dir.split(osp.sep)[-3:]
        with open(path) as f:
            metrics = json.load(f)
        best = glob.glob(osp.join(run_dir, 'best_accuracy_top1_epoch_*.pth'))
        epoch = re.search(r'epoch_(\d+)', best[0]).group(1) if best else '?'
        runs[method, data_path, int(seed[4:])] = dict(metrics, epoch=epoch)
    return runs


def main(root):
    runs = load(root)
    print('| method | data path | seed | val-selected epoch | '
          + ' | '.join(KEYS) + ' | PNG run = native run |')
    print('|---' * (len(KEYS) + 5) + '|')
    for (method, data_path, seed), m in sorted(runs.items()):
        same = ''
        if data_path == 'png' and (method, 'native', seed) in runs:
            native = runs[method, 'native', seed]
            same = 'identical' if all(
                m.get(k) == native.get(k)
                for k in KEYS + ('epoch', )) else 'differs'
        print(f'| {method} | {data_path} | {seed} | {m["epoch"]} | '
              + ' | '.join(f'{m[k]:.2f}' if k in m else '-' for k in KEYS)
              + f' | {same} |')
    print()
    print('| method | data path | seeds | ' + ' | '.join(KEYS) + ' |')
    print('|---' * (len(KEYS) + 3) + '|')
    groups = sorted({(method, path) for method, path, _ in runs})
    for method, data_path in groups:
        members = [m for (a, b, _), m in runs.items()
                   if (a, b) == (method, data_path)]
        cells = []
        for key in KEYS:
            values = [m[key] for m in members if key in m]
            std = statistics.stdev(values) if len(values) > 1 else 0.0
            cells.append(f'{statistics.mean(values):.2f} ± {std:.2f}'
                         if values else '-')
        print(f'| {method} | {data_path} | {len(members)} | '
              + ' | '.join(cells) + ' |')


if __name__ == '__main__':
    main(sys.argv[1])
