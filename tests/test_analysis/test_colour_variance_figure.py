"""benchmarks/colour_variance/figure.py: the paper's figure and table from
a sweep's results.csv."""
import csv
import os.path as osp
import sys

import pytest

sys.path.insert(0, osp.join(osp.dirname(__file__), '..', 'test_tools'))
from tool_helpers import load_script  # noqa: E402


def load_figure_tool():
    return load_script('benchmarks/colour_variance/figure.py')


HEADER = ['method', 'color_var', 'seed', 'test/accuracy/top1',
          'test/leakage/probe_accuracy']


def write_results(path, rows, mode='w'):
    """A results.csv as sweep.py --summarize-only writes it (the columns
    figure.py reads)."""
    with open(path, mode, newline='') as f:
        writer = csv.writer(f)
        if mode == 'w':
            writer.writerow(HEADER)
        writer.writerows(rows)


def test_figure_and_table_from_runs(tmp_path):
    rows = [('lntl', 0.02, 0, 80.0, 40.0), ('lntl', 0.02, 1, 90.0, 30.0),
            ('baseline', 0.05, 0, 50.0, 60.0)]
    results = tmp_path / 'results.csv'
    write_results(results, rows)
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


def test_two_stage_rows_get_the_papers_lntl_row(tmp_path):
    """The paper's LNTL is its two-stage form: with two-stage runs the table
    repeats the paper's LNTL row under them; without, it appears once."""
    results = tmp_path / 'results.csv'
    write_results(results, [['lntl', 0.02, 0, 80.0, 40.0]])
    figure = load_figure_tool()
    figure.main([str(results)])
    table = (tmp_path / 'table.md').read_text().splitlines()
    assert sum(line.startswith('| *paper: lntl*') for line in table) == 1
    write_results(results, [['lntl_2stage', 0.05, 0, 60.0, 50.0]], mode='a')
    figure.main([str(results)])
    table = (tmp_path / 'table.md').read_text().splitlines()
    two_stage = next(i for i, line in enumerate(table)
                     if line.startswith("| LNTL, paper's two stages"))
    assert table[two_stage].rstrip(' |').endswith('60.0 (1)')
    assert table[two_stage + 2].startswith('| *paper: lntl* | *81.85*')
    assert sum(line.startswith('| *paper: lntl*') for line in table) == 2


def test_readme_table_is_replaced_between_its_markers(tmp_path):
    results = tmp_path / 'results.csv'
    write_results(results, [['gray', 0.03, 0, 83.4, 23.2]])
    figure = load_figure_tool()
    readme = tmp_path / 'README.md'
    readme.write_text(f'intro\n{figure.README_BEGIN}\nold table\n'
                      f'{figure.README_END}\nafter\n')
    figure.main([str(results), '--readme', str(readme)])
    text = readme.read_text()
    assert text.startswith(f'intro\n{figure.README_BEGIN}\n| method |')
    assert 'old table' not in text and text.endswith(
        f'{figure.README_END}\nafter\n')
    assert '| Gray (gray_cmnist.py) | – | – | 83.4 (1) |' in text
    readme.write_text('no markers\n')
    with pytest.raises(SystemExit, match='no .* block'):
        figure.main([str(results), '--readme', str(readme)])
    assert readme.read_text() == 'no markers\n'


def test_runs_from_another_study_join_under_a_new_name(tmp_path):
    """--runs-from reads one method's plain runs (no --grid setting) from
    another results.csv and draws them as a method of the figure."""
    results = tmp_path / 'results.csv'
    write_results(results, [['lntl_20e', 0.02, 0, 80.0, 40.0]])
    other = tmp_path / 'search.csv'
    with open(other, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(['method', 'setting'] + HEADER[1:])
        writer.writerows([
            ['winner', '', 0.02, 0, 90.0, 30.0],
            ['winner', '', 0.02, 1, 92.0, 34.0],
            ['winner', 'model.bias_steps=8', 0.02, 0, 10.0, 99.0],
            ['loser', '', 0.02, 0, 50.0, 50.0],
        ])
    figure = load_figure_tool()
    figure.main([str(results), '--runs-from', str(other), 'winner=lntl'])
    table = (tmp_path / 'table.md').read_text().splitlines()
    lntl = next(line for line in table
                if line.startswith('| LNTL, recommended'))
    assert lntl.split(' | ')[1] == '91.0 ± 1.4 (2)'
    assert table[table.index(lntl) + 1].split(' | ')[1] == '32.0 ± 2.8 (2)'
    twenty = next(line for line in table
                  if line.startswith('| LNTL, 20 epochs'))
    assert twenty.split(' | ')[1] == '80.0 (1)'
    # a name the figure does not draw, or one the study already has
    for bad in (['winner=nonsense'], ['winner=lntl_20e'], []):
        with pytest.raises(SystemExit):
            figure.main([str(results), '--runs-from', str(other), *bad])
