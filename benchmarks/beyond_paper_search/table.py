"""The search's table: each candidate's validation, test and leakage-probe
accuracy per seed and over its seeds, and whether it passed the seed-0
screen (validation above the reference's on seed 0).

Reads the per-run CSV that ``tools/analysis/sweep.py --summarize-only``
writes (``results.csv``); a candidate is a method with its grid setting
(``lntl [model.bias_steps=5]``). Prints the Markdown table, or with
``--readme`` copies it into that file between its table markers::

    python benchmarks/beyond_paper_search/table.py \\
        benchmarks/beyond_paper_search/results.csv \\
        --readme benchmarks/beyond_paper_search/README.md

Validation ranks; test is reported, never used to choose.
"""
import argparse
import csv
import os.path as osp
import sys
from collections import OrderedDict
from typing import Dict, List

HERE = osp.dirname(osp.abspath(__file__))
sys.path.insert(0, osp.join(HERE, '..', '..', 'tools', 'analysis'))
sys.path.insert(0, osp.join(HERE, '..', 'colour_variance'))
from figure import README_END, update_readme  # noqa: E402
from summarize_sweep import mean_std  # noqa: E402

#: the README's copy of the table sits between this line and README_END
README_BEGIN = '<!-- table: benchmarks/beyond_paper_search/table.py -->'
METRICS = (('val', 'val/accuracy/top1'), ('test', 'test/accuracy/top1'),
           ('probe', 'test/leakage/probe_accuracy'))


def candidate_of(row: dict) -> str:
    setting = row.get('setting') or ''
    return f'{row["method"]} [{setting}]' if setting else row['method']


def by_candidate(rows: List[dict]) -> 'OrderedDict[str, Dict[int, dict]]':
    """{candidate: {seed: row}}, candidates in order of first appearance."""
    table = OrderedDict()
    for row in rows:
        table.setdefault(candidate_of(row), {})[int(row['seed'])] = row
    return table


def cell(values: List[float]) -> str:
    """Each seed's value, then mean ± std where there are several."""
    each = ' / '.join(f'{v:.1f}' for v in values)
    if len(values) < 2:
        return each
    mean, std = mean_std(values)
    return f'{each} ({mean:.1f} ± {std:.1f})'


def screen(runs: Dict[int, dict], reference: Dict[int, dict]) -> str:
    """Whether the candidate's seed-0 validation accuracy is above the
    reference's."""
    if 0 not in runs or 0 not in reference:
        return 'not run'
    ours = float(runs[0]['val/accuracy/top1'])
    theirs = float(reference[0]['val/accuracy/top1'])
    return 'passed' if ours > theirs else 'out'


def make_table(rows: List[dict], reference: str = 'lntl') -> str:
    candidates = by_candidate(rows)
    if reference not in candidates:
        raise SystemExit(f'no runs of the reference {reference!r} in the '
                         'results; pass --reference with one of '
                         f'{list(candidates)}')
    lines = ['| run | seeds | val | test | probe | seed-0 screen |',
             '|---|---|---|---|---|---|']
    for name, runs in candidates.items():
        seeds = sorted(runs)
        cells = [cell([float(runs[s][key]) for s in seeds])
                 for _, key in METRICS]
        verdict = ('reference' if name == reference else
                   screen(runs, candidates[reference]))
        lines.append(f'| `{name}` | {", ".join(map(str, seeds))} | ' +
                     ' | '.join(cells) + f' | {verdict} |')
    return '\n'.join(lines) + '\n'


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('results', help='results.csv of the runs')
    parser.add_argument('--reference', default='lntl',
                        help='the candidate the others are screened against')
    parser.add_argument('--readme', help='also copy the table into this '
                        'Markdown file, between its table markers')
    args = parser.parse_args(argv)
    with open(args.results, newline='') as f:
        rows = list(csv.DictReader(f))
    table = make_table(rows, args.reference)
    print(table, end='')
    if args.readme:
        update_readme(args.readme, table, README_BEGIN, README_END)


if __name__ == '__main__':
    main()
