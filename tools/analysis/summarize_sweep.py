"""Summarise the finished runs of a sweep work root (written by
``tools/analysis/sweep.py``): ``results.csv``, ``table.md`` (rows: methods,
columns: color_var, cells: mean ± std over seeds), ``plot.png`` (accuracy
against color_var), ``curves.png`` (validation accuracy per epoch, one line
per method, read from the runs' ``vis_data/scalars.json``) and, for grid
searches, ``search.md`` (settings ranked on the validation split).

Example::

    python tools/analysis/summarize_sweep.py --work-root work_dirs/sweep
"""
import argparse
import csv
import glob
import json
import logging
import math
import os.path as osp
import sys
from collections import OrderedDict, defaultdict
from typing import Dict, List, Optional, Sequence, Tuple

RESULT_FILE = 'result.json'
# the bias head's accuracy under the metric names of this and older releases
BIAS_HEAD_KEYS = ('accuracy/bias_head', 'bias_head/accuracy')

logger = logging.getLogger('lnl_mm.sweep')


def parse_args(argv=None):
    """Parse the command line (``argv`` defaults to ``sys.argv[1:]``)."""
    parser = argparse.ArgumentParser(
        description='Summarise the finished runs under a sweep work root.')
    parser.add_argument('--work-root', default='work_dirs/sweep',
                        help='the sweep folder (runs/ holds the runs)')
    parser.add_argument(
        '--metric', choices=['test', 'val'], default='test',
        help='split shown in table.md and plot.png (the search ranking of '
        'search.md always uses val)')
    parser.add_argument(
        '--metric-key', default='accuracy/top1',
        help='metric of the table, the plot and the search ranking')
    return parser.parse_args(argv)


def source_run_dir(spec: dict) -> str:
    """The run folder of the method a two-stage run starts from: same
    work root, color_var and seed, no grid point."""
    method_dir = osp.dirname(osp.dirname(spec['run_dir']))
    return osp.join(
        osp.dirname(method_dir), spec['load_from_method'],
        osp.basename(osp.dirname(spec['run_dir'])),
        osp.basename(spec['run_dir']))


def val_entries(work_dir: str):
    """Validation entries of a training run's ``vis_data/scalars.json``
    files (one folder per launch, oldest first), in logging order."""
    for path in sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                          'scalars.json'))):
        with open(path) as f:
            for line in f:
                entry = json.loads(line)
                if not any(k.startswith('loss') for k in entry) and any(
                        k.startswith('accuracy/') for k in entry):
                    yield entry


def val_curve(work_dir: str, key: str) -> Dict[int, float]:
    """{epoch: validation ``key``} of a training run; a resumed run's later
    launch wins for an epoch logged twice."""
    return {
        entry['step']: entry[key]
        for entry in val_entries(work_dir) if key in entry
    }


def collect_results(work_root: str) -> List[dict]:
    """Every result.json under ``work_root/runs``.

    Each result's ``run_dir`` is where its result.json lies now, so a work
    root that was moved or copied since its runs finished still summarizes.
    """
    results = []
    pattern = osp.join(work_root, 'runs', '**', RESULT_FILE)
    for path in sorted(glob.glob(pattern, recursive=True)):
        with open(path) as f:
            result = json.load(f)
        result['run_dir'] = osp.dirname(path)
        results.append(result)
    return results


def row_label(result: dict) -> str:
    """Table row of a result: the method, plus its grid point if any."""
    grid = result.get('grid') or {}
    if not grid:
        return result['method']
    return result['method'] + ' [' + ', '.join(
        f'{k.split(".")[-1]}={v}' for k, v in grid.items()) + ']'


def mean_std(values: Sequence[float]) -> Tuple[float, float]:
    """Mean and sample standard deviation (0 for a single value)."""
    n = len(values)
    mean = sum(values) / n
    if n < 2:
        return mean, 0.0
    return mean, math.sqrt(sum((v - mean)**2 for v in values) / (n - 1))


def grouped(results: List[dict], split: str, key: str
            ) -> 'OrderedDict[str, Dict[float, List[float]]]':
    """{row label: {color_var: [metric of each seed]}}, rows in order of
    first appearance."""
    table = OrderedDict()
    for result in results:
        value = (result.get(split) or {}).get(key)
        row = table.setdefault(row_label(result), defaultdict(list))
        if value is not None:
            row[result['color_var']].append(float(value))
    return table


def format_cell(values: List[float], scale: float, digits: int = 4) -> str:
    if not values:
        return '–'
    mean, std = mean_std([v * scale for v in values])
    if len(values) == 1:
        return f'{mean:.{digits}f} (n=1)'
    return f'{mean:.{digits}f} ± {std:.{digits}f} (n={len(values)})'


def markdown_table(results: List[dict], split: str, key: str,
                   scale: float = 0.01, digits: int = 4) -> str:
    """Rows: methods; columns: color_var; cells: mean ± std over seeds."""
    table = grouped(results, split, key)
    color_vars = sorted({r['color_var'] for r in results})
    lines = [
        '| Method | ' + ' | '.join(f'{cv:.3f}' for cv in color_vars) + ' |',
        '|---|' + '---|' * len(color_vars)
    ]
    for label, row in table.items():
        if not any(row.values()):
            continue
        lines.append(f'| {label} | ' + ' | '.join(
            format_cell(row.get(cv, []), scale, digits)
            for cv in color_vars) + ' |')
    return '\n'.join(lines)


def write_csv(results: List[dict], path: str) -> None:
    """One row per run; ``run_dir`` relative to the CSV's folder (the work
    root), so the file names no machine's paths."""
    root = osp.dirname(osp.abspath(path))
    grid_keys = sorted({k for r in results for k in (r.get('grid') or {})})
    val_keys = sorted({k for r in results for k in r.get('val') or {}})
    test_keys = sorted({k for r in results for k in r.get('test') or {}})
    header = (['method', 'setting', 'color_var', 'seed'] + grid_keys +
              ['epochs'] + [f'val/{k}' for k in val_keys] +
              [f'test/{k}' for k in test_keys] + [
                  'checkpoint', 'checkpoint_kind', 'checkpoint_epoch',
                  'train_wall_s', 'test_wall_s', 'wall_s', 'run_dir'
              ])
    with open(path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for r in results:
            writer.writerow(
                [r['method'], r.get('setting', ''), r['color_var'], r['seed']]
                + [(r.get('grid') or {}).get(k, '') for k in grid_keys] +
                [r.get('epochs')] +
                [(r.get('val') or {}).get(k, '') for k in val_keys] +
                [(r.get('test') or {}).get(k, '') for k in test_keys] + [
                    r['checkpoint'], r['checkpoint_kind'],
                    r['checkpoint_epoch'], r['train_wall_s'],
                    r['test_wall_s'], r['wall_s'],
                    osp.relpath(osp.abspath(r['run_dir']), root)
                ])


def write_plot(results: List[dict], split: str, key: str, path: str) -> None:
    """Accuracy against color_var, one line with error bars per method."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    for label, row in grouped(results, split, key).items():
        cvs = sorted(cv for cv, values in row.items() if values)
        if not cvs:
            continue
        stats = [mean_std([v / 100 for v in row[cv]]) for cv in cvs]
        ax.errorbar(
            cvs, [m for m, _ in stats],
            yerr=[s for _, s in stats],
            marker='o',
            capsize=3,
            label=label)
    ax.set_xlabel('color_var (colour jitter variance)')
    ax.set_ylabel(f'{split} {key} (mean ± std over seeds)')
    ax.set_title('Colored MNIST: accuracy vs colour variance')
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def result_curve(result: dict, key: str) -> Dict[int, float]:
    """{epoch: validation ``key``} of a finished run, read from its training
    scalars; a two-stage run's epochs continue those of the run it started
    from, so both stages line up on one axis."""
    offset = 0
    source = (result.get('spec') or {}).get('load_from_method')
    if source:
        path = osp.join(
            source_run_dir(
                dict(run_dir=result['run_dir'], load_from_method=source)),
            RESULT_FILE)
        if osp.isfile(path):
            with open(path) as f:
                offset = int(json.load(f).get('epochs') or 0)
    curve = val_curve(osp.join(result['run_dir'], 'train'), key)
    return {epoch + offset: value for epoch, value in curve.items()}


def write_curves(results: List[dict], key: str, path: str) -> bool:
    """Validation ``key`` per epoch, one line per method (mean over seeds,
    a band from min to max), one panel per color_var. False if no run
    logged a validation curve."""
    curves = defaultdict(lambda: defaultdict(list))
    for result in results:
        curve = result_curve(result, key)
        if curve:
            curves[result['color_var']][row_label(result)].append(curve)
    if not curves:
        return False
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    color_vars = sorted(curves)
    fig, axes = plt.subplots(
        1, len(color_vars), figsize=(6.4 * len(color_vars), 4.4),
        squeeze=False)
    for ax, color_var in zip(axes[0], color_vars):
        for label, runs in curves[color_var].items():
            epochs = sorted(set().union(*runs))
            values = [[c[e] / 100 for c in runs if e in c] for e in epochs]
            mean = [sum(v) / len(v) for v in values]
            line, = ax.plot(epochs, mean, marker='.',
                            label=f'{label} (n={len(runs)})')
            if len(runs) > 1:
                ax.fill_between(epochs, [min(v) for v in values],
                                [max(v) for v in values],
                                color=line.get_color(), alpha=0.2)
        ax.set_title(f'color_var {color_var:.3f}')
        ax.set_xlabel('epoch (two-stage runs continue their first stage)')
        ax.set_ylabel(f'val {key} (mean over seeds; band: min-max)')
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def search_ranking(results: List[dict], key: str) -> str:
    """Settings ranked by their mean *validation* metric (over seeds and
    color_vars), with the test metric beside it for reporting only."""
    rows = OrderedDict()
    for r in results:
        entry = rows.setdefault(row_label(r), dict(val=[], test=[]))
        for split in ('val', 'test'):
            value = (r.get(split) or {}).get(key)
            if value is not None:
                entry[split].append(float(value) / 100)
    ranked = sorted(((label, e) for label, e in rows.items() if e['val']),
                    key=lambda item: -mean_std(item[1]['val'])[0])
    lines = [
        f'Settings ranked by validation {key} (mean over seeds and '
        'color_vars). The test column is reported, never used to select.',
        '', '| Rank | Setting | val | test | runs |', '|---|---|---|---|---|'
    ]
    for rank, (label, entry) in enumerate(ranked, 1):
        val = '%.4f ± %.4f' % mean_std(entry['val'])
        test = '%.4f ± %.4f' % mean_std(entry['test']) \
            if entry['test'] else '–'
        lines.append(
            f'| {rank} | {label} | {val} | {test} | {len(entry["val"])} |')
    if ranked:
        lines += ['', f'Selected on val: **{ranked[0][0]}**']
    return '\n'.join(lines) + '\n'


def bias_head_key(results: List[dict]) -> str:
    """The name the bias head's accuracy has in these results."""
    for key in BIAS_HEAD_KEYS:
        if any(key in (r.get('test') or {}) for r in results):
            return key
    return BIAS_HEAD_KEYS[0]


def summarize(args) -> Optional[dict]:
    """Write results.csv, table.md, plot.png (and search.md)."""
    results = collect_results(args.work_root)
    if not results:
        logger.warning(f'No finished runs under {args.work_root}/runs.')
        return None
    epochs = sorted({str(r.get('epochs')) for r in results})
    if len(epochs) > 1:
        logger.warning(f'The results under {args.work_root} mix schedules '
                       f'(epochs {epochs}); the table averages across them.')
    fallback = [r for r in results if r['checkpoint_kind'] != 'best_val']
    paths = dict(
        csv=osp.join(args.work_root, 'results.csv'),
        table=osp.join(args.work_root, 'table.md'),
        plot=osp.join(args.work_root, 'plot.png'))
    write_csv(results, paths['csv'])
    seeds = sorted({r['seed'] for r in results})
    parts = [
        f'Unbiased {args.metric} {args.metric_key} (fraction), mean ± std '
        f'(sample std) over seeds {seeds}; n = runs per cell; epochs '
        f'{", ".join(epochs)}; checkpoints selected on the validation '
        'split.' + (f' WARNING: {len(fallback)} run(s) used the last '
                    'checkpoint (no val selection).' if fallback else ''), '',
        markdown_table(results, args.metric, args.metric_key)
    ]
    extra = [('test', 'leakage/probe_accuracy',
              'Leakage probe: accuracy of a fresh logistic regression on '
              'frozen pooled f features (test split; 0.10 = chance)'),
             ('test', bias_head_key(results),
              "Accuracy of the trained bias head h (test split)")]
    for split, key, title in extra:
        if any(key in (r.get(split) or {}) for r in results):
            parts += ['', title + ':', '', markdown_table(results, split, key)]
    timing = [dict(r, timing=dict(train_wall_s=r['train_wall_s']))
              for r in results]
    parts += ['', 'Training wall time per run (seconds; the machine and '
              'its load are those of the runs):', '',
              markdown_table(timing, 'timing', 'train_wall_s', 1, 0)]
    with open(paths['table'], 'w') as f:
        f.write('\n'.join(parts) + '\n')
    write_plot(results, args.metric, args.metric_key, paths['plot'])
    curves = osp.join(args.work_root, 'curves.png')
    if write_curves(results, args.metric_key, curves):
        paths['curves'] = curves
    if any(r.get('grid') for r in results):
        paths['search'] = osp.join(args.work_root, 'search.md')
        with open(paths['search'], 'w') as f:
            f.write(search_ranking(results, args.metric_key))
    logger.info(f'{len(results)} results summarised: ' +
                ', '.join(paths.values()))
    print('\n'.join(parts))
    return paths


def setup_logger(prefix: str = 'sweep') -> None:
    """Log progress to stderr (once)."""
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(f'[{prefix}] %(message)s'))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def main(argv=None) -> int:
    """Summarise; 1 if there was nothing to summarise."""
    setup_logger()
    return 0 if summarize(parse_args(argv)) else 1


if __name__ == '__main__':
    sys.exit(main())
