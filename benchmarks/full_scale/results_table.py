"""Merge full-scale result CSVs and print the study's results table.

Reads ``results.csv`` files written by ``tools/analysis/summarize_sweep.py``
(via ``collect.py``); a later file's row replaces an earlier one of the same
method, color_var and seed. Writes the merged rows with ``--out`` and prints
one markdown row per method and color_var: mean ± sample std over seeds of
the unbiased test top-1, each seed's value, the conflicting and worst-class
accuracies, the leakage probe and the median training wall time (all test
split, percent). ``table.md`` here is its output for ``results.csv``::

    python benchmarks/full_scale/results_table.py \\
        benchmarks/full_scale/results.csv > benchmarks/full_scale/table.md
    # add a summary's rows:
    python benchmarks/full_scale/results_table.py \\
        benchmarks/full_scale/results.csv $RUNS/summary_new/results.csv \\
        --out benchmarks/full_scale/results.csv
"""
import argparse
import csv
import statistics
from collections import OrderedDict

#: Row order, names and configs of the methods (others follow, by name).
METHODS = OrderedDict(
    baseline=('Baseline', '`baseline_cmnist.py`'),
    gray=('Gray', '`gray_cmnist.py`'),
    blindeye=("BlindEye, paper's lambda 0.01 (superseded)",
              '`superseded_recipes/blindeye_cmnist_paper_lambda.py`'),
    lntl_paper=("LNTL, paper's lambda/mu, one run", '`lnl_cmnist_paper.py`'),
    lntl_2stage_paper=("LNTL, paper's lambda/mu, two stages",
                       '`lnl_cmnist_from_baseline.py`'),
    lntl_2stage_tuned=('LNTL, lambda 0.1 / mu 1.0, two stages',
                       '`lnl_cmnist_from_baseline.py` + `--grid`'),
    lntl_2stage_steps3=('LNTL, lambda 0.1 / mu 1.0, 3 `h` steps, two stages',
                        '`lnl_cmnist_from_baseline.py` + `--grid`'),
    lntl_20e=('**LNTL, two stages in one run of 20 epochs, 3 `h` steps**',
              '**`configs/lnl_cmnist_20e.py`**'),
    lntl_one_h_step=('LNTL two stages in one run, 1 `h` step (superseded)',
                     '`superseded_recipes/lnl_cmnist_one_h_step.py`'),
    lntl_no_resets=('LNTL one run, no resets (superseded)',
                    '`superseded_recipes/lnl_cmnist_no_resets.py`'),
    lntl_matched_lr=(
        "LNTL one run, no resets, the two stages' lr (superseded)",
        '`superseded_recipes/lnl_cmnist_no_resets_two_stage_lr.py`'),
)
TWO_STAGE = ('lntl_2stage_paper', 'lntl_2stage_tuned', 'lntl_2stage_steps3')


def read_rows(paths):
    rows = OrderedDict()
    fields = None
    for path in paths:
        with open(path, newline='') as f:
            reader = csv.DictReader(f)
            fields = fields or reader.fieldnames
            for row in reader:
                key = (row['method'], float(row['color_var']),
                       int(row['seed']))
                rows[key] = row
    return fields, list(rows.values())


def stat(values, digits=1):
    if len(values) == 1:
        return f'{values[0]:.{digits}f}'
    return (f'{statistics.mean(values):.{digits}f} ± '
            f'{statistics.stdev(values):.{digits}f}')


def table(rows):
    lines = [
        '| method | config | color_var | epochs | seeds | unbiased test '
        'top-1 (%) | per seed | conflicting | worst class | leakage probe '
        '| wall time per run |',
        '|---|---|---|---|---|---|---|---|---|---|---|'
    ]
    groups = OrderedDict()
    for row in rows:
        groups.setdefault((row['method'], float(row['color_var'])),
                          []).append(row)
    order = list(METHODS) + sorted({m for m, _ in groups} - set(METHODS))
    for cv in sorted({cv for _, cv in groups}):
        for method in order:
            runs = sorted(groups.get((method, cv), []),
                          key=lambda r: int(r['seed']))
            if not runs:
                continue
            name, config = METHODS.get(method, (method, ''))

            def col(key):
                return [float(r[key]) for r in runs]

            epochs = int(runs[0]['epochs'])
            schedule = f'{epochs} + {epochs}' if method in TWO_STAGE else \
                str(epochs)
            wall = statistics.median(col('train_wall_s')) / 60
            lines.append(
                f'| {name} | {config} | {cv:.3f} | {schedule} | '
                f'{",".join(r["seed"] for r in runs)} | '
                f'{stat(col("test/accuracy/top1"))} | '
                f'{", ".join(f"{v:.1f}" for v in col("test/accuracy/top1"))}'
                f' | {stat(col("test/accuracy/conflicting"))} | '
                f'{stat(col("test/accuracy/worst_class"))} | '
                f'{stat(col("test/leakage/probe_accuracy"))} | '
                f'{wall:.0f} min |')
    return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('csvs', nargs='+', help='results.csv files, in '
                        'order: later rows replace earlier ones')
    parser.add_argument('--out', help='write the merged rows here')
    args = parser.parse_args(argv)
    fields, rows = read_rows(args.csvs)
    if args.out:
        with open(args.out, 'w', newline='') as f:
            writer = csv.DictWriter(f, fieldnames=fields,
                                    extrasaction='ignore')
            writer.writeheader()
            writer.writerows(rows)
    print(table(rows))


if __name__ == '__main__':
    main()
