"""The paper's figure: unbiased test accuracy against color_var, one line
per method, beside the paper's numbers; the leakage probe against
color_var; and the same numbers as a Markdown table.

Reads the per-run CSV that ``tools/analysis/sweep.py --summarize-only``
writes (``results.csv``: method, color_var, seed, test/accuracy/top1,
test/leakage/probe_accuracy, ...) and ``paper.csv`` (the paper's Figure 3
values, %). Writes ``accuracy.png``, ``leakage.png`` and ``table.md`` next
to the CSV unless ``--out`` says otherwise::

    python benchmarks/colour_variance/figure.py \\
        benchmarks/colour_variance/results.csv --readme README.md

(``--readme`` also copies the table into the README, between its table
markers.) ``--runs-from CSV METHOD=NAME`` adds the runs of ``METHOD`` in
another study's results (rows without a ``--grid`` setting) as method
``NAME``; the recommended LNTL's runs are the search's::

    --runs-from benchmarks/beyond_paper_search/results.csv \
        lntl_wide_h_mu_step_warmup40=lntl
"""
import argparse
import csv
import os.path as osp
import sys
from collections import defaultdict

HERE = osp.dirname(osp.abspath(__file__))
sys.path.insert(0, osp.join(HERE, '..', '..', 'tools', 'analysis'))
from summarize_sweep import mean_std  # noqa: E402

#: sweep method name -> (label, colour); the order of the legend and table
METHODS = {
    'baseline': ('Baseline (baseline_cmnist.py)', 'tab:gray'),
    'blindeye': ('BlindEye (blindeye_cmnist.py)', 'tab:orange'),
    'gray': ('Gray (gray_cmnist.py)', 'tab:green'),
    'lntl_2stage': ('LNTL, paper\'s two stages (lnl_cmnist_from_baseline.py)',
                    'tab:purple'),
    'lntl_20e': ('LNTL, 20 epochs (lnl_cmnist_20e.py)', 'tab:cyan'),
    'lntl': ('LNTL, recommended (lnl_cmnist.py)', 'tab:blue'),
}
#: the paper's row drawn in a method's colour
PAPER_OF = {'baseline': 'baseline', 'blindeye': 'blindeye', 'gray': 'gray',
            'lntl': 'lntl'}
#: the paper's row repeated in the table under a method that has runs (the
#: paper's LNTL is the two-stage form), not drawn again in the figure
PAPER_ROW_ALSO_UNDER = {'lntl_2stage': 'lntl'}
ACCURACY = 'test/accuracy/top1'
PROBE = 'test/leakage/probe_accuracy'


def read_runs(path: str, rename: dict = None, runs: dict = None) -> dict:
    """{method: {metric: {color_var: [value of each seed]}}}.

    With ``rename`` ({method in the CSV: method name here}) only those
    methods' rows without a ``setting`` are read, under their new names;
    ``runs`` is extended if given.
    """
    if runs is None:
        runs = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    with open(path, newline='') as f:
        for row in csv.DictReader(f):
            method = row['method']
            if rename is not None:
                if method not in rename or row.get('setting'):
                    continue
                method = rename[method]
            for key in (ACCURACY, PROBE):
                if row.get(key):
                    runs[method][key][float(row['color_var'])].append(
                        float(row[key]))
    return runs


def parse_runs_from(values: list) -> tuple:
    """``['other.csv', 'a=b']`` -> ``('other.csv', {'a': 'b'})``."""
    path, *pairs = values
    rename = {}
    for pair in pairs:
        source, sep, name = pair.partition('=')
        if not sep or not source or name not in METHODS:
            raise SystemExit(
                f'--runs-from {path}: "{pair}" is not METHOD=NAME with NAME '
                f'one of {list(METHODS)}.')
        rename[source] = name
    if not rename:
        raise SystemExit(f'--runs-from {path}: name at least one '
                         'METHOD=NAME to read from it.')
    return path, rename


def read_paper(path: str) -> dict:
    """{method: {color_var: accuracy %}}."""
    with open(path, newline='') as f:
        return {
            row.pop('method'): {float(k): float(v) for k, v in row.items()}
            for row in csv.DictReader(f)
        }


def plot(runs: dict, paper: dict, key: str, ylabel: str, path: str,
         chance: float = None) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(10.0, 4.8))
    for method, (label, colour) in METHODS.items():
        row = runs.get(method, {}).get(key)
        if row:
            cvs = sorted(row)
            ax.plot(cvs, [mean_std(row[cv])[0] for cv in cvs], 'o-',
                    color=colour, label=label)
            ax.fill_between(cvs, [min(row[cv]) for cv in cvs],
                            [max(row[cv]) for cv in cvs], color=colour,
                            alpha=0.2, linewidth=0)
        if key == ACCURACY and method in PAPER_OF:
            ref = paper[PAPER_OF[method]]
            cvs = sorted(ref)
            ax.plot(cvs, [ref[cv] for cv in cvs], '--', color=colour,
                    alpha=0.8, label=f'paper: {PAPER_OF[method]}')
    if chance is not None:
        ax.axhline(chance, color='k', linestyle=':', linewidth=1,
                   label='chance')
    ax.set_xlabel('color_var (colour variance of the training digits)')
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    # outside the axes, so that no line is hidden behind it
    ax.legend(fontsize=7, loc='center left', bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def cell(values: list) -> str:
    if not values:
        return '–'
    mean, std = mean_std(values)
    if len(values) == 1:
        return f'{mean:.1f} (1)'
    return f'{mean:.1f} ± {std:.1f} ({len(values)})'


def table(runs: dict, paper: dict) -> str:
    cvs = sorted({cv for ref in paper.values() for cv in ref})
    lines = [
        '| method | ' + ' | '.join(f'{cv:.3f}' for cv in cvs) + ' |',
        '|---|' + '---|' * len(cvs)
    ]
    for method, (label, _) in METHODS.items():
        acc = runs.get(method, {}).get(ACCURACY, {})
        probe = runs.get(method, {}).get(PROBE, {})
        if acc:
            lines.append(f'| {label} | ' + ' | '.join(
                cell(acc.get(cv, [])) for cv in cvs) + ' |')
            lines.append('| ↳ leakage probe | ' + ' | '.join(
                cell(probe.get(cv, [])) for cv in cvs) + ' |')
        name = PAPER_OF.get(method) or (
            PAPER_ROW_ALSO_UNDER.get(method) if acc else None)
        if name:
            ref = paper[name]
            lines.append(f'| *paper: {name}* | ' + ' | '.join(
                f'*{ref[cv]:.2f}*' for cv in cvs) + ' |')
    return '\n'.join(lines) + '\n'


#: the README's copy of the table sits between these two lines
README_BEGIN = '<!-- table: benchmarks/colour_variance/table.md -->'
README_END = '<!-- end of table -->'


def update_readme(path: str, table_md: str, begin: str = README_BEGIN,
                  end: str = README_END) -> None:
    """Replace the table between the lines ``begin`` and ``end`` (by
    default :data:`README_BEGIN` and :data:`README_END`) in ``path`` with
    ``table_md``."""
    with open(path) as f:
        text = f.read()
    if begin not in text or end not in text:
        raise SystemExit(f'{path} has no "{begin}" ... "{end}" block to '
                         'replace; add the two lines where the table goes.')
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(path, 'w') as f:
        f.write(f'{head}{begin}\n{table_md.strip()}\n{end}{tail}')


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('results', help='results.csv of the runs')
    parser.add_argument('--paper', default=osp.join(HERE, 'paper.csv'))
    parser.add_argument('--out', help='output folder (default: the CSV\'s)')
    parser.add_argument('--readme', help='also copy the table into this '
                        'Markdown file, between its table markers')
    parser.add_argument(
        '--runs-from', nargs='+', action='append', default=[],
        metavar='CSV METHOD=NAME', help='also read METHOD\'s runs (rows '
        'without a setting) from another results.csv, as method NAME')
    args = parser.parse_args(argv)
    out = args.out or osp.dirname(osp.abspath(args.results))
    runs, paper = read_runs(args.results), read_paper(args.paper)
    for values in args.runs_from:
        path, rename = parse_runs_from(values)
        clash = set(rename.values()) & set(runs)
        if clash:
            raise SystemExit(
                f'{args.results} already has runs of {sorted(clash)}; '
                f'--runs-from {path} would mix two sets of runs.')
        read_runs(path, rename, runs)
    plot(runs, paper, ACCURACY,
         'unbiased test top-1 (%): mean, band min-max over seeds',
         osp.join(out, 'accuracy.png'))
    plot(runs, paper, PROBE, 'leakage probe on f (%, test split)',
         osp.join(out, 'leakage.png'), chance=10.0)
    table_md = table(runs, paper)
    with open(osp.join(out, 'table.md'), 'w') as f:
        f.write('Unbiased test top-1 (%), mean ± std (seeds), checkpoints '
                'selected on val; leakage probe: a linear probe\'s colour '
                'accuracy on f (chance 10 %); paper rows in italics.\n\n')
        f.write(table_md)
    if args.readme:
        update_readme(args.readme, table_md)


if __name__ == '__main__':
    main()
