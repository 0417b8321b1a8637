"""Gather finished sweep runs from several work roots under one summary
root, with the method names of this release, and summarise them with
``tools/analysis/sweep.py --summarize-only``.

Each ``LABEL=DIR`` names a method folder of a sweep (``DIR/cv*/seed*/`` hold
``result.json`` and ``train/*/vis_data/scalars.json``). Only those two files
are copied; ``result.json`` gets ``method=LABEL`` and its new ``run_dir``.
A two-stage run finds its first stage under the label ``baseline`` of the
same summary root, as in a sweep. Example::

    python benchmarks/full_scale/collect.py --out ~/runs/summary_10e \\
        baseline=~/runs/full_cv020_10e/runs/baseline \\
        lntl=~/runs/full_cv020_10e/runs/lntl_recommended
"""
import argparse
import glob
import json
import os
import os.path as osp
import shutil
import subprocess
import sys

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def copy_run(src: str, dst: str, label: str) -> None:
    with open(osp.join(src, 'result.json')) as f:
        result = json.load(f)
    result.update(method=label, run_dir=dst, setting='')
    result['grid'] = {}
    os.makedirs(dst, exist_ok=True)
    with open(osp.join(dst, 'result.json'), 'w') as f:
        json.dump(result, f, indent=2)
    for scalars in glob.glob(osp.join(src, 'train', '*', 'vis_data',
                                      'scalars.json')):
        rel = osp.relpath(scalars, src)
        os.makedirs(osp.dirname(osp.join(dst, rel)), exist_ok=True)
        shutil.copyfile(scalars, osp.join(dst, rel))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--out', required=True, help='summary work root')
    parser.add_argument('methods', nargs='+', metavar='LABEL=DIR')
    args = parser.parse_args(argv)
    if osp.isdir(args.out):
        shutil.rmtree(args.out)
    for item in args.methods:
        label, _, folder = item.partition('=')
        folder = osp.expanduser(folder)
        for result in sorted(glob.glob(osp.join(folder, 'cv*', 'seed*',
                                                'result.json'))):
            src = osp.dirname(result)
            rel = osp.relpath(src, folder)
            copy_run(src, osp.join(args.out, 'runs', label, rel), label)
    subprocess.run([sys.executable,
                    osp.join(REPO, 'tools', 'analysis', 'sweep.py'),
                    '--summarize-only', '--work-root', args.out], check=True)


if __name__ == '__main__':
    main()
