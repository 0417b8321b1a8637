"""The search's tables. The first, at the search's colour variance
(0.020): each candidate's validation, test and leakage-probe accuracy per
seed and over its seeds, and whether it passed the seed-0 screen
(validation above the reference's on seed 0). The second, for candidates
that also ran at other variances: their test accuracy and probe at each
variance beside the recipe's test accuracy there (the colour-variance
study's ``results.csv``) and the paper's LNTL, and whether every seed is
at or above the paper.

Reads the per-run CSV that ``tools/analysis/sweep.py --summarize-only``
writes (``results.csv``); a candidate is a method with its grid setting
(``lntl_20e [model.bias_steps=5]``). Prints the Markdown tables, or with
``--readme`` copies them into that file between their markers::

    python benchmarks/beyond_paper_search/table.py \\
        benchmarks/beyond_paper_search/results.csv \\
        --readme benchmarks/beyond_paper_search/README.md

Validation ranks; test is reported, never used to choose.
"""
import argparse
import csv
import os.path as osp
import sys
from collections import OrderedDict, defaultdict
from typing import Dict, List

HERE = osp.dirname(osp.abspath(__file__))
#: the colour-variance study: the recipe's runs, the paper's numbers
COLOUR_VARIANCE = osp.join(HERE, '..', 'colour_variance')
sys.path.insert(0, osp.join(HERE, '..', '..', 'tools', 'analysis'))
sys.path.insert(0, COLOUR_VARIANCE)
from figure import README_END, read_paper, update_readme  # noqa: E402
from summarize_sweep import mean_std  # noqa: E402

#: the README's copy of the search table sits between this line and
#: README_END
README_BEGIN = '<!-- table: benchmarks/beyond_paper_search/table.py -->'
#: ... and the table across variances between this one and README_END
VARIANCES_BEGIN = ('<!-- variances table: '
                   'benchmarks/beyond_paper_search/table.py -->')
#: the colour variance the candidates are searched and screened at
SEARCH_COLOR_VAR = 0.02
METRICS = (('val', 'val/accuracy/top1'), ('test', 'test/accuracy/top1'),
           ('probe', 'test/leakage/probe_accuracy'))


def candidate_of(row: dict) -> str:
    setting = row.get('setting') or ''
    return f'{row["method"]} [{setting}]' if setting else row['method']


def color_var_of(row: dict) -> float:
    """The row's colour variance, rounded so that equal variances compare
    equal whatever their spelling in the CSV (0.02, 0.020)."""
    return round(float(row['color_var']), 4)


def at_color_var(rows: List[dict], color_var: float) -> List[dict]:
    return [r for r in rows if color_var_of(r) == round(color_var, 4)]


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


def make_table(rows: List[dict], reference: str = 'lntl_20e',
               color_var: float = SEARCH_COLOR_VAR) -> str:
    """The search table over the runs at ``color_var``."""
    candidates = by_candidate(at_color_var(rows, color_var))
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


def make_variance_table(rows: List[dict], recipe_rows: List[dict],
                        paper_lntl: Dict[float, float],
                        reference: str = 'lntl_20e',
                        color_var: float = SEARCH_COLOR_VAR) -> str:
    """Each candidate that ran at a variance other than ``color_var``, at
    every variance it ran: test top-1 and probe per seed, the recipe's
    test top-1 there (``recipe_rows``: the colour-variance study's runs of
    ``reference``), the paper's LNTL and whether every seed is at or above
    it."""
    recipe = defaultdict(list)
    for row in recipe_rows:
        if row['method'] == reference and not row.get('setting'):
            recipe[color_var_of(row)].append(
                float(row['test/accuracy/top1']))
    runs = OrderedDict()
    for row in rows:
        runs.setdefault(candidate_of(row), {}).setdefault(
            color_var_of(row), {})[int(row['seed'])] = row
    lines = ['| run | color_var | seeds | test | probe | recipe\'s test | '
             'paper LNTL | every seed ≥ paper |',
             '|---|---|---|---|---|---|---|---|']
    for name, by_cv in runs.items():
        if name == reference or set(by_cv) <= {round(color_var, 4)}:
            continue
        for cv in sorted(by_cv):
            seeds = sorted(by_cv[cv])
            test = [float(by_cv[cv][s]['test/accuracy/top1']) for s in seeds]
            probe = [float(by_cv[cv][s]['test/leakage/probe_accuracy'])
                     for s in seeds]
            paper = paper_lntl.get(cv)
            verdict = ('–' if paper is None else
                       'yes' if min(test) >= paper else 'no')
            lines.append(
                f'| `{name}` | {cv:.3f} | {", ".join(map(str, seeds))} | '
                f'{cell(test)} | {cell(probe)} | '
                f'{cell(recipe[cv]) if recipe.get(cv) else "–"} | '
                f'{"–" if paper is None else f"{paper:.2f}"} | {verdict} |')
    if len(lines) == 2:
        return 'No candidate has run at another colour variance yet.\n'
    return '\n'.join(lines) + '\n'


def read_rows(path: str) -> List[dict]:
    with open(path, newline='') as f:
        return list(csv.DictReader(f))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('results', help='results.csv of the runs')
    parser.add_argument('--reference', default='lntl_20e',
                        help='the candidate the others are screened against')
    parser.add_argument(
        '--recipe-results', default=osp.join(COLOUR_VARIANCE, 'results.csv'),
        help='the colour-variance study\'s results.csv, for the recipe\'s '
        'test accuracy at each variance')
    parser.add_argument(
        '--paper', default=osp.join(COLOUR_VARIANCE, 'paper.csv'),
        help='the paper\'s accuracies (its "lntl" row is used)')
    parser.add_argument('--readme', help='also copy the tables into this '
                        'Markdown file, between their markers')
    args = parser.parse_args(argv)
    rows = read_rows(args.results)
    table = make_table(rows, args.reference)
    variances = make_variance_table(rows, read_rows(args.recipe_results),
                                    read_paper(args.paper)['lntl'],
                                    args.reference)
    print(table + '\n' + variances, end='')
    if args.readme:
        update_readme(args.readme, table, README_BEGIN, README_END)
        update_readme(args.readme, variances, VARIANCES_BEGIN, README_END)


if __name__ == '__main__':
    main()
