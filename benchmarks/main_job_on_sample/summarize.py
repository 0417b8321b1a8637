"""Tables of the main job on the embedded sample (see commands.sh).

Usage: python benchmarks/main_job_on_sample/summarize.py WORK_ROOT
Reads WORK_ROOT/main_job (the 20-epoch recipe, seed 0: validation curve,
wall time, test metrics) and WORK_ROOT/seeds/results.csv
(tools/analysis/sweep.py: LNTL's seeds 1-2, the baseline's 0-2) and prints
them as Markdown.
"""
import csv
import glob
import json
import os.path as osp
import statistics
import sys

NAMES = {'lntl_20e': 'LNTL, 20 epochs (`lnl_cmnist_20e.py`)',
         'baseline': 'Baseline (`baseline_cmnist.py`)'}


def val_curve(work_dir):
    """Unbiased val top-1 by epoch, from the run's scalars.json."""
    curve = {}
    for path in glob.glob(osp.join(work_dir, '*', 'vis_data',
                                   'scalars.json')):
        with open(path) as f:
            for line in f:
                entry = json.loads(line)
                if 'accuracy/top1' in entry:
                    curve[entry['step']] = entry['accuracy/top1']
    return dict(sorted(curve.items()))


def main_job_row(work_dir, curve, best, wall):
    """The 20-epoch recipe's seed-0 run (part 1), in results.csv's columns."""
    with open(osp.join(work_dir, 'test_metrics.json')) as f:
        test = json.load(f)
    return {'method': 'lntl_20e', 'seed': '0',
            'val/accuracy/top1': curve[best],
            'test/accuracy/top1': test['accuracy/top1'],
            'test/leakage/probe_accuracy': test['leakage/probe_accuracy'],
            'train_wall_s': wall}


def mean_std(values):
    values = [float(v) for v in values]
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    each = ', '.join(f'{v:.1f}' for v in values)
    return f'{statistics.mean(values):.1f} ± {std:.1f} ({each})'


def main(root):
    lines = []
    main_job = osp.join(root, 'main_job')
    if osp.isdir(main_job):
        curve = val_curve(main_job)
        best = max(curve, key=curve.get)
        with open(osp.join(main_job, 'wall_seconds.txt')) as f:
            wall = int(f.read())
        lines += [
            '## The README\'s command, alone on the machine',
            '',
            f'Wall time {wall / 60:.1f} min; best unbiased val top-1 '
            f'{curve[best]:.1f} % at epoch {best}.',
            '',
            '| epoch | ' + ' | '.join(str(e) for e in curve) + ' |',
            '|---|' + '---|' * len(curve),
            '| val top-1 (%) | ' + ' | '.join(
                f'{v:.1f}' for v in curve.values()) + ' |',
            '']
    with open(osp.join(root, 'seeds', 'results.csv')) as f:
        rows = list(csv.DictReader(f))
    if osp.isdir(main_job):
        rows.append(main_job_row(main_job, curve, best, wall))
    lines += [
        '## Seeds 0-2 (LNTL seed 0: the command above; the others one '
        'thread per run, two runs side by side)',
        '',
        '| Method | Seeds | Unbiased val top-1 (%), selected checkpoint '
        '| Unbiased test top-1 (%) | Leakage probe (%) | Training (min), '
        'per seed |',
        '|---|---|---|---|---|---|']
    for method in ('lntl_20e', 'baseline'):
        runs = sorted((r for r in rows if r['method'] == method),
                      key=lambda r: int(r['seed']))
        if not runs:
            continue
        lines.append(
            f'| {NAMES[method]} | {", ".join(r["seed"] for r in runs)} | '
            f'{mean_std(r["val/accuracy/top1"] for r in runs)} | '
            f'{mean_std(r["test/accuracy/top1"] for r in runs)} | '
            f'{mean_std(r["test/leakage/probe_accuracy"] for r in runs)} | '
            + ', '.join(f'{float(r["train_wall_s"]) / 60:.1f}' for r in runs)
            + ' |')
    print('\n'.join(lines))


if __name__ == '__main__':
    main(sys.argv[1])
