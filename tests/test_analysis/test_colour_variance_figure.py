"""benchmarks/colour_variance/figure.py: the paper's figure and table from
a sweep's results.csv."""
import csv
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(__file__), '..', 'test_tools'))
from tool_helpers import load_script  # noqa: E402


def load_figure_tool():
    return load_script('benchmarks/colour_variance/figure.py')


def test_figure_and_table_from_runs(tmp_path):
    rows = [('lntl', 0.02, 0, 80.0, 40.0), ('lntl', 0.02, 1, 90.0, 30.0),
            ('baseline', 0.05, 0, 50.0, 60.0)]
    results = tmp_path / 'results.csv'
    with open(results, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(['method', 'color_var', 'seed', 'test/accuracy/top1',
                         'test/leakage/probe_accuracy'])
        writer.writerows(rows)
    load_figure_tool().main([str(results)])
    for name in ('accuracy.png', 'leakage.png'):
        assert (tmp_path / name).read_bytes()[:4] == b'\x89PNG'
    table = (tmp_path / 'table.md').read_text().splitlines()
    lntl = next(line for line in table if line.startswith('| LNTL'))
    # mean ± sample std (seeds) at 0.020, nothing measured elsewhere
    assert lntl.split(' | ')[1] == '85.0 ± 7.1 (2)'
    assert lntl.split(' | ')[2] == '–'
    probe = table[table.index(lntl) + 1]
    assert probe.split(' | ')[1] == '35.0 ± 7.1 (2)'
    assert table[table.index(lntl) + 2].startswith('| *paper: lntl* | '
                                                   '*81.85* | *88.54*')
    baseline = next(line for line in table if line.startswith('| Baseline'))
    assert baseline.rstrip(' |').endswith('50.0 (1)')
    # methods without runs keep the paper's row only
    assert not any(line.startswith('| Gray') for line in table)
    assert any(line.startswith('| *paper: gray*') for line in table)
