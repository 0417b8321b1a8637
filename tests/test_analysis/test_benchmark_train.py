"""tools/analysis/benchmark_train.py on a few iterations of the sample."""
import json
import os.path as osp
import sys

import pytest

sys.path.insert(0, osp.join(osp.dirname(__file__), '..', 'test_tools'))
from tool_helpers import REPO, load_tool as load_any_tool  # noqa: E402


def load_tool():
    return load_any_tool('analysis/benchmark_train')


def test_benchmark_reports_every_phase_against_the_baseline(tmp_path):
    tool = load_tool()
    out = tmp_path / 'bench.json'
    result = tool.main([
        osp.join(REPO, 'configs', 'lnl_cmnist.py'), '--iters', '3',
        '--warmup', '1', '--rounds', '2', '--settle-rounds', '0',
        '--out', str(out), '--baseline',
        osp.join(REPO, 'configs', 'baseline_cmnist.py'), '--cfg-options',
        'train_dataloader.dataset.source=sample',
    ])
    assert json.loads(out.read_text()) == result
    phases = result['phases']
    assert list(phases) == ['warmup', 'unlearning', 'baseline']
    for name, entry in phases.items():
        for key in ('runner_img_s', 'loop_img_s'):
            assert entry[key] > 0, (name, key)
        # two rounds: the medians are the means of the rounds, and the
        # ratio is the median of the per-round ratios
        assert len(entry['runner_img_s_rounds']) == 2
        assert entry['runner_img_s'] == pytest.approx(
            sum(entry['runner_img_s_rounds']) / 2)
        assert entry['loop_img_s'] == pytest.approx(
            sum(entry['loop_img_s_rounds']) / 2)
        assert entry['runner_over_loop_rounds'] == pytest.approx([
            a / b for a, b in zip(entry['runner_img_s_rounds'],
                                  entry['loop_img_s_rounds'])])
        # the paired measurement: per round the ratio of its medians
        assert entry['runner_over_loop_paired_rounds'] == pytest.approx([
            loop / runner for runner, loop in zip(
                entry['paired_runner_median_iter_ms_rounds'],
                entry['paired_loop_median_iter_ms_rounds'])])
        assert len(entry['runner_over_loop_paired_rounds']) == 2
        assert entry['runner_over_loop_paired'] > 0
        assert entry['s_per_iter'] == pytest.approx(
            128 / entry['runner_img_s'])
        assert entry['cost_in_baseline_iters'] == pytest.approx(
            entry['s_per_iter'] / phases['baseline']['s_per_iter'])
    # 430 iterations per epoch of 55,000 digits; 40 warm-up epochs and 10
    # unlearning ones
    predicted = result['predicted']
    assert predicted['iters_per_epoch'] == 430
    assert predicted['epochs'] == dict(warmup=40, unlearning=10)
    assert predicted['train_minutes'] == pytest.approx(430 * (
        40 * phases['warmup']['s_per_iter'] +
        10 * phases['unlearning']['s_per_iter']) / 60)
    assert result['pipeline_img_s'] > 0
    assert result['peak_rss_mib'] > 100
    assert result['device'] == 'cpu' and result['num_workers'] == 0


@pytest.mark.parametrize('phase, pretrain_epochs', [('warmup', 1),
                                                    ('unlearning', 0)])
def test_benchmark_config_times_one_phase(phase, pretrain_epochs):
    tool = load_tool()
    cfg = tool.benchmark_config(
        osp.join(REPO, 'configs', 'lnl_cmnist.py'), None, 5, 2, '/tmp/x',
        phase=phase)
    assert cfg.model.pretrain_epochs == pretrain_epochs
    assert 'unlearning_start' not in cfg.default_hooks
    # one epoch of exactly warmup + iters batches
    assert cfg.train_cfg == dict(by_epoch=True, max_epochs=1,
                                 val_interval=10**9)
    assert cfg.train_dataloader.dataset.indices == 7 * 128
    assert cfg.train_dataloader.sampler.min_length is None  # not stretched
    assert cfg.train_dataloader.drop_last is True
    assert cfg.val_dataloader is None and cfg.default_hooks.checkpoint is None


def test_phases_follow_the_config():
    tool = load_tool()
    from mmengine.config import Config
    phases = {
        name: tool.training_phases(
            Config.fromfile(osp.join(REPO, 'configs', name)))
        for name in ('baseline_cmnist.py', 'lnl_cmnist.py',
                     'lnl_cmnist_from_baseline.py')
    }
    assert phases == {'baseline_cmnist.py': ['train'],
                      'lnl_cmnist.py': ['warmup', 'unlearning'],
                      'lnl_cmnist_from_baseline.py': ['unlearning']}


def test_the_loop_does_the_work_of_train_step(monkeypatch):
    """The loop's iteration takes as many steps of h, and runs f as often,
    as LNTLClassifier.train_step in the same phase."""
    tool = load_tool()
    import torch

    from lnl_mm.models.backbones.lntl_convnet import LNTLConvNet
    calls = dict(f=0, h_step=0)
    real_extract = LNTLConvNet.extract_bias_feat
    real_step = torch.optim.SGD.step

    def count_extract(self, x):
        calls['f'] += 1
        return real_extract(self, x)

    def count_step(self, *a, **k):
        if len(self.param_groups[0]['params']) == h_params:
            calls['h_step'] += 1
        return real_step(self, *a, **k)

    monkeypatch.setattr(LNTLConvNet, 'extract_bias_feat', count_extract)
    monkeypatch.setattr(torch.optim.SGD, 'step', count_step)
    options = {'train_dataloader.dataset.source': 'sample',
               'model.bias_steps': 3, 'model.warmup_bias_steps': 2}
    counted = {}
    for phase in ('warmup', 'unlearning'):
        cfg = tool.benchmark_config(
            osp.join(REPO, 'configs', 'lnl_cmnist.py'), options, 2, 0,
            '/tmp/x', phase=phase)
        h_params = len(list(tool.build_model(cfg).bias_head.parameters()))
        calls.update(f=0, h_step=0)
        tool.measure_loop(cfg, 2, 0)
        counted[phase] = dict(calls)
    # per iteration, f runs in phase A and once for h's 2 steps alone, which
    # after the warm-up also serves the reversal step (which steps h too)
    assert counted == dict(warmup=dict(f=4, h_step=4),
                           unlearning=dict(f=4, h_step=6))


def test_settle_rounds_run_every_measurement_untimed_first(monkeypatch):
    """The settling round measures every job once and its values are
    discarded; the timed rounds follow in their rotating order."""
    from types import SimpleNamespace

    from mmengine.config import Config
    tool = load_tool()
    calls = []

    def fake(kind):
        def measure(cfg, *args):
            calls.append((cfg.phase, kind))
            # the call's number: what was reported
            return tool.Timing(float(len(calls)), 1.0 / len(calls))
        return measure

    def fake_paired(cfg, *args):
        calls.append((cfg.phase, 'paired'))
        # runner and loop iterations of the call's number and twice that
        return tool.Paired(float(len(calls)), 2.0 * len(calls))

    monkeypatch.setattr(tool, 'measure_runner', fake('runner'))
    monkeypatch.setattr(tool, 'measure_loop', fake('loop'))
    monkeypatch.setattr(tool, 'measure_paired', fake_paired)
    cfgs = {phase: Config(dict(phase=phase,
                               train_dataloader=dict(batch_size=128)))
            for phase in ('warmup', 'baseline')}
    args = SimpleNamespace(rounds=2, settle_rounds=1, skip_loop=False,
                           warmup=1, iters=2, pair_block=10)
    result = tool.measure_rounds(cfgs, args)
    jobs = [('warmup', 'runner'), ('warmup', 'loop'), ('warmup', 'paired'),
            ('baseline', 'runner'), ('baseline', 'loop'),
            ('baseline', 'paired')]
    assert calls == jobs + jobs + jobs[1:] + jobs[:1]
    # calls 1-6 settle; round 0 is calls 7-12, round 1 calls 13-18
    # (rotated by one)
    assert result['warmup']['runner_img_s_rounds'] == [7.0, 18.0]
    assert result['warmup']['loop_img_s_rounds'] == [8.0, 13.0]
    assert result['baseline']['runner_img_s_rounds'] == [10.0, 15.0]
    assert result['warmup']['runner_over_loop_rounds'] == [7 / 8, 18 / 13]
    assert result['warmup']['runner_over_loop_median_iter_rounds'] == \
        pytest.approx([7 / 8, 18 / 13])
    assert result['warmup']['runner_median_iter_ms_rounds'] == \
        pytest.approx([1000 / 7, 1000 / 18])
    # paired calls 9 and 14: loop iterations twice the Runner's
    assert result['warmup']['paired_runner_median_iter_ms_rounds'] == \
        pytest.approx([9000.0, 14000.0])
    assert result['warmup']['runner_over_loop_paired_rounds'] == \
        pytest.approx([2.0, 2.0])
    with pytest.raises(SystemExit, match='--settle-rounds -1'):
        tool.measure_rounds(
            cfgs, SimpleNamespace(**{**vars(args), 'settle_rounds': -1}))


def test_timing_gives_throughput_and_a_median_a_pause_does_not_move():
    tool = load_tool()
    # 5 timed iterations of 1 s, one of them hit by a 9 s pause
    stamps = [0.0, 1.0, 2.0, 3.0, 13.0, 14.0]
    timed = tool.timing(stamps, 1, batch_size=10)
    assert timed.img_s == pytest.approx(4 * 10 / 13)
    assert timed.median_iter_s == 1.0
    assert tool.images_per_second(stamps, 1, 10) == timed.img_s


def test_paired_clock_keeps_the_loop_out_of_the_runner_iterations():
    """Runner iterations are timed without the loop blocks between them;
    the loop runs as often as the Runner, in blocks, and after the last
    (short) block."""
    import time
    tool = load_tool()

    class SleepyLoop:
        def __init__(self):
            self.steps = 0

        def step(self):
            self.steps += 1
            time.sleep(0.03)

    loop = SleepyLoop()
    clock = tool.PairedClock(loop, block=3, warmup=2)
    clock.before_train(None)
    assert loop.steps == 2  # untimed warm-up
    for i in range(7):
        time.sleep(0.01)  # the Runner's iteration
        clock.after_train_iter(None, i)
        assert loop.steps == 2 + 3 * ((i + 1) // 3)
    clock.after_train(None)
    assert loop.steps == 2 + 7
    assert len(clock.runner_steps) == len(clock.loop_steps) == 7
    assert all(0.01 <= t < 0.025 for t in clock.runner_steps)
    assert all(0.03 <= t < 0.045 for t in clock.loop_steps)
    with pytest.raises(SystemExit, match='--pair-block 0'):
        tool.measure_paired(None, 1, 0)
