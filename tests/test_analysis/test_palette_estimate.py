"""benchmarks/palette: the paper's palette estimated from measured digit
colours, and the shortcut strength of a palette."""
import json
import os.path as osp
import sys

import numpy as np
import pytest

sys.path.insert(0, osp.join(osp.dirname(__file__), '..', 'test_tools'))
from tool_helpers import REPO, load_script  # noqa: E402

from lnl_mm.datasets import (DEFAULT_PALETTE,  # noqa: E402
                             PAPER_ESTIMATE_PALETTE)

SAMPLES = osp.join(REPO, 'benchmarks', 'palette', 'samples.csv')


@pytest.fixture(scope='module')
def tool():
    return load_script('benchmarks/palette/estimate.py')


def test_shipped_palette_is_the_estimate_from_the_samples(tool):
    labels, colours = tool.read_samples(SAMPLES)
    assert len(labels) == 60 and set(labels.tolist()) == set(range(10))
    np.testing.assert_array_equal(tool.estimate_palette(labels, colours),
                                  np.array(PAPER_ESTIMATE_PALETTE))


def test_estimate_is_the_class_mean_and_needs_every_class(tool):
    labels = np.repeat(np.arange(10), 2)
    colours = np.zeros((20, 3))
    colours[labels == 3] = [[0, 51, 255], [0, 153, 255]]
    palette = tool.estimate_palette(labels, colours)
    np.testing.assert_allclose(palette[3], [0, 0.4, 1.0])
    assert (palette[np.arange(10) != 3] == 0).all()
    with pytest.raises(ValueError, match=r'class\(es\) \[9\]'):
        tool.estimate_palette(labels[labels != 9], colours[labels != 9])


def test_shortcut_strength(tool):
    default = np.array(DEFAULT_PALETTE)
    low = tool.shortcut_strength(default, 0.001, num=5000)
    high = tool.shortcut_strength(default, 0.05, num=5000)
    # ten distinct colours with little jitter: colour gives the class away,
    # grey level only where two colours share no brightness
    assert low[0] > 0.99 and 0.5 < low[1] < 0.95
    assert high[0] < low[0] and high[1] < low[1]
    # ten copies of one colour: chance
    same = np.tile([[0.5, 0.5, 0.5]], (10, 1))
    assert max(tool.shortcut_strength(same, 0.02, num=5000)) < 0.15


def write_run(run_dir, palette, top1=90.0, original=95.5):
    spec = {'dataset_options': {} if palette is None else {'palette': palette}}
    (run_dir / 'original_test' / '20260101_000000').mkdir(parents=True)
    (run_dir / 'result.json').write_text(json.dumps(dict(
        spec=spec, color_var=0.05, seed=1, checkpoint='train/best.pth',
        test={'accuracy/top1': top1})))
    (run_dir / 'original_test' / '20260101_000000' / 'x.json').write_text(
        json.dumps({'accuracy/top1': original}))


def test_original_test_rows(tmp_path):
    tool = load_script('benchmarks/palette/original_test_csv.py')
    as_values = [list(c) for c in PAPER_ESTIMATE_PALETTE]
    for name, palette in (('a', None), ('b', as_values),
                          ('c', 'paper_estimate'), ('d', [[0.5] * 3] * 10)):
        write_run(tmp_path / name, palette)
    rows = [tool.row(str(tmp_path / name)) for name in 'abcd']
    assert [r['palette'] for r in rows[:3]] == [
        'default', 'paper_estimate', 'paper_estimate']
    assert rows[3]['palette'].startswith('[[0.5')
    assert rows[0] == dict(palette='default', color_var='0.050', seed=1,
                           checkpoint='train/best.pth', test_top1=90.0,
                           original_test_top1=95.5)
    write_run(tmp_path / 'e', None)
    (tmp_path / 'e' / 'original_test' / '20260101_000000' / 'x.json').unlink()
    with pytest.raises(SystemExit, match='no original_test'):
        tool.row(str(tmp_path / 'e'))
