"""One CSV row per Gray run tested on the original grey MNIST test digits.

    python benchmarks/palette/original_test_csv.py RUN_DIR... > OUT.csv

RUN_DIR is a sweep run (``runs/gray/cv0.050/seed0``) with the sweep's
``result.json`` and the ``original_test/`` work dir of
``tools/test.py configs/gray_cmnist_original_test.py``; the row holds the
palette the run trained on, its colour variance, seed and checkpoint, its
unbiased test top-1 (grey of the coloured test digits) and its top-1 on the
original digits (the last test in ``original_test/``).
"""
import csv
import glob
import json
import os.path as osp
import sys

import numpy as np

from lnl_mm.datasets import NAMED_PALETTES, check_palette

FIELDS = ('palette', 'color_var', 'seed', 'checkpoint', 'test_top1',
          'original_test_top1')


def palette_name(result: dict) -> str:
    """'default' or the name / values given as the run's dataset option."""
    palette = result['spec'].get('dataset_options', {}).get('palette')
    if palette is None:
        return 'default'
    if isinstance(palette, str):
        return palette
    values = check_palette(palette)
    for name in NAMED_PALETTES:
        if np.array_equal(check_palette(name), values):
            return name
    return json.dumps(palette)


def row(run_dir: str) -> dict:
    with open(osp.join(run_dir, 'result.json')) as f:
        result = json.load(f)
    tests = sorted(
        glob.glob(osp.join(run_dir, 'original_test', '*', '*.json')))
    if not tests:
        raise SystemExit(f'{run_dir}: no original_test/*/*.json; run '
                         'tools/test.py configs/gray_cmnist_original_test.py '
                         f'with --work-dir {run_dir}/original_test first.')
    with open(tests[-1]) as f:
        original = json.load(f)
    return dict(palette=palette_name(result),
                color_var=f'{result["color_var"]:.3f}',
                seed=result['seed'], checkpoint=result['checkpoint'],
                test_top1=result['test']['accuracy/top1'],
                original_test_top1=round(original['accuracy/top1'], 2))


def main():
    writer = csv.DictWriter(sys.stdout, FIELDS, lineterminator='\n')
    writer.writeheader()
    for run_dir in sys.argv[1:]:
        writer.writerow(row(run_dir))


if __name__ == '__main__':
    main()
