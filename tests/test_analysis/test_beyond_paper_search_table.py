"""benchmarks/beyond_paper_search/table.py: the search's tables from a
sweep's results.csv."""
import csv
import os.path as osp
import sys

import pytest

sys.path.insert(0, osp.join(osp.dirname(__file__), '..', 'test_tools'))
from tool_helpers import load_script  # noqa: E402

HEADER = ['method', 'setting', 'seed', 'val/accuracy/top1',
          'test/accuracy/top1', 'test/leakage/probe_accuracy', 'color_var']


def write_results(path, rows, color_var=0.02):
    """``rows`` without a colour variance run at ``color_var``."""
    with open(path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(row if len(row) == len(HEADER) else
                         (*row, color_var) for row in rows)


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
        ('lntl_20e', '', 0, 80.0, 81.0, 40.0),
        ('lntl_20e', '', 1, 90.0, 91.0, 30.0),
        ('lntl_20e', 'model.bias_steps=5', 0, 85.0, 86.0, 35.0),
        ('lntl_ema', '', 0, 80.0, 99.0, 20.0),
        ('lntl_ema', '', 1, 95.0, 95.0, 20.0),
    ])
    lines = table_lines(results)
    ref = row_of(lines, 'lntl_20e').split(' | ')
    # per seed, then mean ± sample std over the seeds
    assert ref[1:] == ['0, 1', '80.0 / 90.0 (85.0 ± 7.1)',
                       '81.0 / 91.0 (86.0 ± 7.1)',
                       '40.0 / 30.0 (35.0 ± 7.1)', 'reference |']
    grid = row_of(lines, 'lntl_20e [model.bias_steps=5]').split(' | ')
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
    write_results(results, [('lntl_20e', '', 0, 80.0, 81.0, 40.0)])
    readme = tmp_path / 'README.md'
    tool = load_script('benchmarks/beyond_paper_search/table.py')
    readme.write_text(f'intro\n{tool.README_BEGIN}\nold\n{tool.README_END}'
                      f'\nmiddle\n{tool.VARIANCES_BEGIN}\nold\n'
                      f'{tool.README_END}\nafter\n')
    tool.main([str(results), '--readme', str(readme)])
    text = readme.read_text()
    assert 'old' not in text and text.startswith('intro\n')
    assert '| `lntl_20e` | 0 | 80.0 | 81.0 | 40.0 | reference |' in text
    assert (f'{tool.VARIANCES_BEGIN}\nNo candidate has run at another '
            'colour variance yet.\n') in text
    assert text.endswith(f'{tool.README_END}\nafter\n')


def test_the_search_table_holds_only_the_search_variance(tmp_path):
    results = tmp_path / 'results.csv'
    write_results(results, [
        ('lntl_20e', '', 0, 80.0, 81.0, 40.0),
        ('lntl_20e', 'x=1', 0, 85.0, 86.0, 35.0),
        ('lntl_20e', 'x=1', 0, 99.0, 99.0, 11.0, 0.05),
    ])
    grid = row_of(table_lines(results), 'lntl_20e [x=1]').split(' | ')
    assert grid[1:3] == ['0', '85.0']


def test_variance_table_sets_each_variance_beside_recipe_and_paper(
        tmp_path):
    tool = load_script('benchmarks/beyond_paper_search/table.py')
    rows = [dict(zip(HEADER, map(str, r))) for r in [
        ('lntl_20e', '', 0, 80.0, 81.0, 40.0, 0.02),
        ('lntl_20e', 'x=1', 0, 85.0, 90.0, 35.0, 0.02),
        ('lntl_20e', 'x=1', 1, 86.0, 92.0, 33.0, 0.02),
        ('lntl_20e', 'x=1', 0, 95.0, 97.5, 20.0, 0.05),
        ('lntl_20e', 'x=1', 1, 95.0, 95.0, 22.0, 0.05),
        # only at the search's variance: not in this table
        ('lntl_20e', 'y=2', 0, 85.0, 86.0, 35.0, 0.02),
    ]]
    recipe = [dict(method='lntl_20e', setting='', color_var='0.05',
                   **{'test/accuracy/top1': v}) for v in ('94.0', '95.0')]
    recipe.append(dict(method='gray', setting='', color_var='0.05',
                       **{'test/accuracy/top1': '99.0'}))
    lines = tool.make_variance_table(rows, recipe, {0.02: 81.85, 0.05: 96.18})
    body = [line for line in lines.splitlines() if line.startswith('| `')]
    assert body == [
        '| `lntl_20e [x=1]` | 0.020 | 0, 1 | 90.0 / 92.0 (91.0 ± 1.4) | '
        '35.0 / 33.0 (34.0 ± 1.4) | – | 81.85 | yes |',
        # the mean is above the paper's 96.18, seed 1 (95.0) below it
        '| `lntl_20e [x=1]` | 0.050 | 0, 1 | 97.5 / 95.0 (96.2 ± 1.8) | '
        '20.0 / 22.0 (21.0 ± 1.4) | 94.0 / 95.0 (94.5 ± 0.7) | 96.18 | no |',
    ]


def test_variance_table_says_when_no_candidate_ran_elsewhere(tmp_path):
    tool = load_script('benchmarks/beyond_paper_search/table.py')
    rows = [dict(zip(HEADER, map(str, ('lntl_20e', 'x=1', 0, 85.0, 86.0, 35.0,
                                       0.02))))]
    assert 'No candidate' in tool.make_variance_table(rows, [], {0.02: 81.85})
