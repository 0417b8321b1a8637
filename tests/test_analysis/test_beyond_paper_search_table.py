"""benchmarks/beyond_paper_search/table.py: the search's table from a
sweep's results.csv."""
import csv
import os.path as osp
import sys

import pytest

sys.path.insert(0, osp.join(osp.dirname(__file__), '..', 'test_tools'))
from tool_helpers import load_script  # noqa: E402

HEADER = ['method', 'setting', 'seed', 'val/accuracy/top1',
          'test/accuracy/top1', 'test/leakage/probe_accuracy']


def write_results(path, rows):
    with open(path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(rows)


def table_lines(path, *args):
    tool = load_script('benchmarks/beyond_paper_search/table.py')
    with open(path, newline='') as f:
        rows = list(csv.DictReader(f))
    return tool.make_table(rows, *args).splitlines()


def row_of(lines, name):
    return next(line for line in lines if line.startswith(f'| `{name}`'))


def test_cells_and_screen(tmp_path):
    results = tmp_path / 'results.csv'
    write_results(results, [
        ('lntl', '', 0, 80.0, 81.0, 40.0),
        ('lntl', '', 1, 90.0, 91.0, 30.0),
        ('lntl', 'model.bias_steps=5', 0, 85.0, 86.0, 35.0),
        ('lntl_ema', '', 0, 80.0, 99.0, 20.0),
        ('lntl_ema', '', 1, 95.0, 95.0, 20.0),
    ])
    lines = table_lines(results)
    ref = row_of(lines, 'lntl').split(' | ')
    # per seed, then mean ± sample std over the seeds
    assert ref[1:] == ['0, 1', '80.0 / 90.0 (85.0 ± 7.1)',
                       '81.0 / 91.0 (86.0 ± 7.1)',
                       '40.0 / 30.0 (35.0 ± 7.1)', 'reference |']
    grid = row_of(lines, 'lntl [model.bias_steps=5]').split(' | ')
    assert grid[1:3] == ['0', '85.0'] and grid[-1] == 'passed |'
    # a tie on seed-0 validation does not pass, whatever its test accuracy
    assert row_of(lines, 'lntl_ema').endswith('| out |')


def test_missing_reference_names_the_candidates(tmp_path):
    results = tmp_path / 'results.csv'
    write_results(results, [('lntl_ema', '', 0, 80.0, 81.0, 40.0)])
    with pytest.raises(SystemExit, match=r"lntl_ema"):
        table_lines(results)


def test_readme_block_is_replaced(tmp_path):
    results = tmp_path / 'results.csv'
    write_results(results, [('lntl', '', 0, 80.0, 81.0, 40.0)])
    readme = tmp_path / 'README.md'
    tool = load_script('benchmarks/beyond_paper_search/table.py')
    readme.write_text(f'intro\n{tool.README_BEGIN}\nold\n{tool.README_END}'
                      '\nafter\n')
    tool.main([str(results), '--readme', str(readme)])
    text = readme.read_text()
    assert 'old' not in text and text.startswith('intro\n')
    assert '| `lntl` | 0 | 80.0 | 81.0 | 40.0 | reference |' in text
    assert text.endswith(f'{tool.README_END}\nafter\n')
