"""tools/analysis/benchmark_train.py on a few iterations of the sample."""
import importlib.util
import json
import os.path as osp

import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def load_tool():
    spec = importlib.util.spec_from_file_location(
        'lnl_mm_benchmark_train',
        osp.join(REPO, 'tools', 'analysis', 'benchmark_train.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize('config', ['baseline_cmnist.py', 'lnl_cmnist.py'])
def test_benchmark_reports_runner_loop_pipeline_and_memory(config, tmp_path):
    tool = load_tool()
    out = tmp_path / 'bench.json'
    result = tool.main([
        osp.join(REPO, 'configs', config), '--iters', '3', '--warmup', '1',
        '--rounds', '2', '--out', str(out), '--cfg-options',
        'train_dataloader.dataset.source=sample',
    ])
    assert json.loads(out.read_text()) == result
    for key in ('runner_img_s', 'loop_img_s', 'pipeline_img_s'):
        assert result[key] > 0, key
    # two rounds: the medians are the means of the rounds, and the ratio is
    # the median of the per-round ratios
    assert len(result['runner_img_s_rounds']) == 2
    assert result['runner_img_s'] == pytest.approx(
        sum(result['runner_img_s_rounds']) / 2)
    assert result['loop_img_s'] == pytest.approx(
        sum(result['loop_img_s_rounds']) / 2)
    assert result['runner_over_loop_rounds'] == pytest.approx([
        a / b for a, b in zip(result['runner_img_s_rounds'],
                              result['loop_img_s_rounds'])])
    assert result['runner_over_loop'] == pytest.approx(
        sum(result['runner_over_loop_rounds']) / 2)
    assert result['peak_rss_mib'] > 100
    assert result['device'] == 'cpu' and result['num_workers'] == 0


def test_benchmark_config_times_the_unlearning_step_only():
    tool = load_tool()
    cfg = tool.benchmark_config(
        osp.join(REPO, 'configs', 'lnl_cmnist.py'), None, 5, 2, '/tmp/x')
    assert cfg.model.pretrain_epochs == 0
    # one epoch of exactly warmup + iters batches
    assert cfg.train_cfg == dict(by_epoch=True, max_epochs=1,
                                 val_interval=10**9)
    assert cfg.train_dataloader.dataset.indices == 7 * 128
    assert cfg.train_dataloader.drop_last is True
    assert cfg.val_dataloader is None and cfg.default_hooks.checkpoint is None
