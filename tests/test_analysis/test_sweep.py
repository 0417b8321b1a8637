"""The sweep tool: unit tests of its pieces and an end-to-end reduced grid."""
import csv
import importlib.util
import json
import os
import os.path as osp
import subprocess
import sys

import pytest
from mmengine.config import Config

from lnl_mm.utils import ConfigError

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def load_tool(name):
    spec = importlib.util.spec_from_file_location(
        f'lnl_mm_{name}', osp.join(REPO, 'tools', 'analysis', f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sweep = load_tool('sweep')
summary = load_tool('summarize_sweep')


def strided(stop, step):
    return '[' + ','.join(str(i) for i in range(0, stop, step)) + ']'


def tiny_args(work_root):
    """Options that make each run a few iterations on class-balanced slices
    of the embedded sample (its splits are sorted by class)."""
    return [
        '--epochs', '1', '--work-root', str(work_root),
        '--dataset-options', 'source=sample',
        '--dataloader-options', 'num_workers=0', 'batch_size=32',
        '--cfg-options',
        f'train_dataloader.dataset.indices={strided(3500, 50)}',
        'train_dataloader.sampler.min_length=None',  # one pass per epoch
        f'val_dataloader.dataset.indices={strided(500, 10)}',
        f'test_dataloader.dataset.indices={strided(1000, 20)}',
        'val_evaluator.save_confusion_matrix=False',
        'test_evaluator.save_confusion_matrix=False',
        'custom_hooks.0.max_iter=20',
    ]


# ----------------------------------------------------------------------
# pieces
# ----------------------------------------------------------------------
def test_parse_grid_values_and_errors():
    grid = sweep.parse_grid(['model.entropy_weight=0.01,0.1',
                             'model.pretrain_epochs=1,2', 'x=true,abc'])
    assert grid == {'model.entropy_weight': [0.01, 0.1],
                    'model.pretrain_epochs': [1, 2], 'x': [True, 'abc']}
    with pytest.raises(ValueError, match='KEY=V1,V2'):
        sweep.parse_grid(['model.entropy_weight'])


def test_set_epochs_scales_milestones_and_warmup():
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'lnl_cmnist_paper.py'))
    sweep.set_epochs(cfg, 20)
    assert cfg.train_cfg.max_epochs == 20
    assert cfg.param_scheduler.milestones == [8, 16]
    assert cfg.model.pretrain_epochs == 2
    # the one-run recipes (two schedulers): the x10 step back to lr 0.001
    # stays at the end of the warm-up
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'lnl_cmnist_20e.py'))
    sweep.set_epochs(cfg, 10)
    assert [s.milestones for s in cfg.param_scheduler] == [[2, 4, 7, 9], [5]]
    assert cfg.model.pretrain_epochs == 5
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'lnl_cmnist.py'))
    sweep.set_epochs(cfg, 100)
    assert [s.milestones for s in cfg.param_scheduler] == \
        [[32, 64, 88, 96], [80]]
    assert cfg.model.pretrain_epochs == 80


def make_spec(tmp_path, method='lntl', **overrides):
    spec = dict(method=method, config=osp.join(REPO, sweep.METHODS[method]),
                color_var=0.035, seed=3, grid={}, setting='', epochs=None,
                cfg_options={}, dataset_options=dict(source='sample'),
                dataloader_options=dict(num_workers=0), probe=True,
                run_dir=str(tmp_path / 'run'))
    spec.update(overrides)
    return spec


def test_run_config_sets_color_var_seeds_grid_and_probe(tmp_path):
    spec = make_spec(tmp_path, grid={'model.bias_neck.mu': 0.5})
    cfg = sweep.build_run_config(spec)
    assert cfg.randomness.seed == 3
    for loader in sweep.DATALOADER_FIELDS:
        dataset = cfg[loader].dataset
        assert (dataset.color_var, dataset.data_seed, dataset.source) == \
            (0.035, 3, 'sample')
        assert cfg[loader].num_workers == 0
    assert cfg.model.bias_neck.mu == 0.5
    assert [h['type'] for h in cfg.custom_hooks] == ['LeakageProbeHook']
    # a config that already has the probe does not get a second one
    cfg = sweep.build_run_config(make_spec(tmp_path, method='blindeye'))
    assert [h['type'] for h in cfg.custom_hooks] == ['LeakageProbeHook']


def test_same_run_in_two_work_roots_gets_two_experiment_names(tmp_path):
    """--in-process runs share MMEngine's logger and visualizer instances,
    which are keyed by experiment name (+ launch second): the same method,
    color_var and seed in two work roots must not share a name, or one logs
    into the other's folder (seen in CI as a resumed run without a log)."""
    names = [
        sweep.build_run_config(
            make_spec(tmp_path, run_dir=str(tmp_path / root / 'runs' / 'lntl'
                                            / 'cv0.035' / 'seed3')))
        .experiment_name for root in ('a', 'b')
    ]
    assert names[0] != names[1]
    assert all(n.startswith('lntl_cv0.035_seed3_') for n in names)


def test_grid_key_missing_from_a_method_is_refused(tmp_path):
    spec = make_spec(tmp_path, method='baseline',
                     grid={'model.bias_neck.mu': 0.5})
    with pytest.raises(ConfigError, match='not in the config of method'):
        sweep.build_run_config(spec)
    # an argument of the dataset's type that the config leaves at its
    # default may be searched; a misspelt one may not
    spec = make_spec(tmp_path, method='baseline',
                     grid={'train_dataloader.dataset.conflict_ratio': 0.9})
    cfg = sweep.build_run_config(spec)
    assert cfg.train_dataloader.dataset.conflict_ratio == 0.9
    assert 'conflict_ratio' not in cfg.val_dataloader.dataset
    spec['grid'] = {'train_dataloader.dataset.conflict_ration': 0.9}
    with pytest.raises(ConfigError, match='nor an argument of the component'):
        sweep.build_run_config(spec)


def test_a_misspelt_grid_key_stops_the_sweep_before_its_first_run(tmp_path):
    """The keys are checked before any run: checked per run, as they also
    are, the misspelt key would fail each run in turn, after the runs
    before it had trained."""
    work_root = tmp_path / 'typo'
    cmd = [sys.executable, osp.join(REPO, 'tools', 'analysis', 'sweep.py'),
           '--methods', 'lntl', '--color-vars', '0.03', '--seeds', '0', '1',
           '--grid', 'model.bias_neck.mu=0.5', 'model.bias_nek.mu=1'] + \
        tiny_args(work_root)
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert "ERROR: --grid key 'model.bias_nek.mu'" in proc.stderr
    assert 'Traceback' not in proc.stderr
    assert not (work_root / 'runs').exists()


def test_stored_result_of_other_settings_is_refused(tmp_path):
    spec = make_spec(tmp_path)
    os.makedirs(spec['run_dir'])
    other = dict(spec, epochs=7)
    with open(osp.join(spec['run_dir'], sweep.RESULT_FILE), 'w') as f:
        json.dump(dict(spec=sweep.result_relevant(other)), f)
    with pytest.raises(RuntimeError, match='--force'):
        sweep.load_finished(spec)
    # options that do not change the result may differ, and so may
    # cache_dir, an option of earlier versions that older runs recorded
    same = dict(spec, dataset_options=dict(source='sample', cache_dir='x'))
    with open(osp.join(spec['run_dir'], sweep.RESULT_FILE), 'w') as f:
        json.dump(dict(spec=sweep.result_relevant(same)), f)
    assert sweep.load_finished(spec) is not None


def test_checkpoint_selection_prefers_best_and_flags_fallback(tmp_path):
    for name in ('epoch_2.pth', 'epoch_3.pth'):
        (tmp_path / name).write_bytes(b'')
    path, kind, epoch = sweep.select_checkpoint(str(tmp_path))
    assert (osp.basename(path), kind, epoch) == \
        ('epoch_3.pth', 'last_NO_VAL_SELECTION', 3)
    (tmp_path / 'best_accuracy_top1_epoch_2.pth').write_bytes(b'')
    path, kind, epoch = sweep.select_checkpoint(str(tmp_path))
    assert (osp.basename(path), kind, epoch) == \
        ('best_accuracy_top1_epoch_2.pth', 'best_val', 2)


def test_table_cells_are_mean_and_sample_std_over_seeds():
    results = [
        dict(method='lntl', grid={}, color_var=0.02, seed=s,
             test={'accuracy/top1': v}) for s, v in ((0, 80.0), (1, 90.0))
    ] + [dict(method='baseline', grid={}, color_var=0.05, seed=0,
              test={'accuracy/top1': 50.0})]
    table = summary.markdown_table(results, 'test', 'accuracy/top1')
    lines = table.splitlines()
    assert lines[0] == '| Method | 0.020 | 0.050 |'
    assert lines[2] == '| lntl | 0.8500 ± 0.0707 (n=2) | – |'
    assert lines[3] == '| baseline | – | 0.5000 (n=1) |'


def test_search_ranking_selects_on_val_not_test():
    results = [
        dict(method='lntl', grid={'model.entropy_weight': lam},
             color_var=0.02, seed=0, val={'accuracy/top1': val},
             test={'accuracy/top1': test})
        for lam, val, test in ((0.01, 60.0, 90.0), (0.1, 70.0, 50.0))
    ]
    text = summary.search_ranking(results, 'accuracy/top1')
    assert 'Selected on val: **lntl [entropy_weight=0.1]**' in text


# ----------------------------------------------------------------------
# end to end
# ----------------------------------------------------------------------
def test_reduced_grid_end_to_end_and_resume(tmp_path, capsys):
    """2 methods x 2 color_vars x 2 seeds, one short epoch each."""
    work_root = tmp_path / 'sweep'
    argv = ['--methods', 'baseline', 'lntl', '--color-vars', '0.02', '0.05',
            '--seeds', '0', '1', '--in-process'] + tiny_args(work_root)
    assert sweep.main(argv) == 0

    with open(work_root / 'results.csv') as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 8
    assert {(r['method'], r['color_var'], r['seed']) for r in rows} == {
        (m, cv, s) for m in ('baseline', 'lntl') for cv in ('0.02', '0.05')
        for s in ('0', '1')}
    for row in rows:
        assert row['checkpoint_kind'] == 'best_val'
        assert row['checkpoint'].startswith('train/best_accuracy_top1_epoch_')
        for key in ('val/accuracy/top1', 'test/accuracy/top1',
                    'test/accuracy/conflicting',
                    'test/leakage/probe_accuracy'):
            assert 0.0 <= float(row[key]) <= 100.0, key
        assert float(row['wall_s']) > 0
        # relative to the work root: the committed CSVs name no machine path
        assert not osp.isabs(row['run_dir'])
        assert (work_root / row['run_dir'] / 'result.json').is_file()
    assert all(r['test/accuracy/bias_head'] for r in rows
               if r['method'] == 'lntl')

    table = (work_root / 'table.md').read_text().splitlines()
    assert '| Method | 0.020 | 0.050 |' in table
    for method in ('baseline', 'lntl'):
        row = next(line for line in table if line.startswith(f'| {method} '))
        assert row.count('±') == 2 and row.count('(n=2)') == 2
    assert any('Leakage probe' in line for line in table)
    png = (work_root / 'plot.png').read_bytes()
    assert png[:8] == b'\x89PNG\r\n\x1a\n' and len(png) > 5000

    # a second invocation skips every finished run
    results = sorted(work_root.glob('runs/**/result.json'))
    stamps = [p.stat().st_mtime_ns for p in results]
    capsys.readouterr()
    assert sweep.main(argv) == 0
    err = capsys.readouterr().err
    assert err.count('finished, skipped') == 8 and 'running' not in err
    assert [p.stat().st_mtime_ns for p in results] == stamps

    # --summarize-only rewrites the summaries from the stored results
    (work_root / 'table.md').unlink()
    assert sweep.main(['--summarize-only', '--work-root',
                       str(work_root)]) == 0
    assert (work_root / 'table.md').read_text().splitlines() == table
    # and so does the summary tool on its own
    (work_root / 'table.md').unlink()
    assert summary.main(['--work-root', str(work_root)]) == 0
    assert (work_root / 'table.md').read_text().splitlines() == table
    assert summary.main(['--work-root', str(work_root / 'empty')]) == 1

    # a work root moved elsewhere still summarizes, with the same rows
    moved = tmp_path / 'moved'
    work_root.rename(moved)
    (moved / 'results.csv').unlink()
    assert summary.main(['--work-root', str(moved)]) == 0
    with open(moved / 'results.csv') as f:
        assert list(csv.DictReader(f)) == rows


def test_one_run_through_the_real_tools_as_subprocesses(tmp_path):
    work_root = tmp_path / 'sub'
    cmd = [sys.executable, osp.join(REPO, 'tools', 'analysis', 'sweep.py'),
           '--methods', 'gray', '--color-vars', '0.03', '--seeds', '5'] + \
        tiny_args(work_root)
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-3000:]
    run_dir = work_root / 'runs' / 'gray' / 'cv0.030' / 'seed5'
    result = json.loads((run_dir / 'result.json').read_text())
    assert result['checkpoint_kind'] == 'best_val'
    assert set(result['val']) >= {'accuracy/top1'}
    assert 'leakage/probe_accuracy' in result['test']
    cfg = Config.fromfile(str(run_dir / 'config.py'))
    assert cfg.randomness.seed == 5
    assert cfg.test_dataloader.dataset.data_seed == 5
    assert cfg.train_dataloader.dataset.pipeline[0].type == 'ToGrayscale'
    assert (run_dir / 'train.log').exists() and (run_dir / 'test.log').exists()


def test_two_stage_runs_start_from_the_same_seeds_source(tmp_path, capsys):
    """--load-from: the second stage loads the last checkpoint of the first
    stage's run with the same color_var and seed; its validation curve
    continues the first stage's epochs in curves.png."""
    work_root = tmp_path / 'two_stage'
    two_stage = 'lntl2=configs/lnl_cmnist_from_baseline.py'
    common = ['--color-vars', '0.02', '--seeds', '0', '1', '--in-process'
              ] + tiny_args(work_root)

    # the source must exist first: listing it after is refused per run
    assert sweep.main(['--methods', two_stage, '--load-from',
                       'lntl2=baseline'] + common) == 1
    failed = json.loads((work_root / 'runs' / 'lntl2' / 'cv0.020' / 'seed0' /
                         'failed.json').read_text())
    assert 'needs the finished run' in failed['error']

    assert sweep.main(['--methods', 'baseline', two_stage, '--load-from',
                       'lntl2=baseline'] + common) == 0
    for seed in (0, 1):
        run = work_root / 'runs' / 'lntl2' / 'cv0.020' / f'seed{seed}'
        source = work_root / 'runs' / 'baseline' / 'cv0.020' / f'seed{seed}'
        result = json.loads((run / 'result.json').read_text())
        assert result['load_from'] == str(source / 'train' / 'epoch_1.pth')
        assert result['spec']['load_from_method'] == 'baseline'
        cfg = Config.fromfile(str(run / 'config.py'))
        assert cfg.load_from == result['load_from']
        assert cfg.optim_wrapper.main.optimizer.lr == 0.001
        curve = summary.result_curve(result, 'accuracy/top1')
        assert list(curve) == [2]  # epoch 1 of the second stage
    baseline = json.loads((work_root / 'runs' / 'baseline' / 'cv0.020' /
                           'seed0' / 'result.json').read_text())
    assert 'load_from_method' not in baseline['spec']
    assert list(summary.result_curve(baseline, 'accuracy/top1')) == [1]
    png = (work_root / 'curves.png').read_bytes()
    assert png[:8] == b'\x89PNG\r\n\x1a\n' and len(png) > 5000
    table = (work_root / 'table.md').read_text()
    assert 'Training wall time per run' in table

    with pytest.raises(ValueError, match='METHOD=SOURCE'):
        sweep.main(['--methods', 'baseline', '--load-from', 'baseline'] +
                   common)


def test_an_interrupted_run_resumes_from_its_last_checkpoint(tmp_path):
    """A run folder whose training left a last_checkpoint but no result
    continues from that checkpoint instead of starting again."""
    work_root = tmp_path / 'resume'
    args = ['--methods', 'baseline', '--color-vars', '0.02', '--seeds', '0',
            '--in-process'] + tiny_args(work_root)
    assert sweep.main(args) == 0
    run = work_root / 'runs' / 'baseline' / 'cv0.020' / 'seed0'
    # train and test Runners of one run never share MMEngine's logger, which
    # is keyed by experiment name + second: a train launch in the second of
    # the test launch logged into the test folder (CI and a fresh venv)
    train_name = Config.fromfile(str(run / 'config.py')).experiment_name
    test_name = Config.fromfile(
        str(run / 'test' / 'config.py')).experiment_name
    assert test_name == train_name + '_test'
    (run / 'result.json').unlink()  # as if killed after epoch 1 of 2
    epoch_1 = (run / 'train' / 'epoch_1.pth').stat().st_mtime_ns
    args[args.index('--epochs') + 1] = '2'
    assert sweep.main(args) == 0
    launches = sorted(p for p in (run / 'train').iterdir() if p.is_dir())
    assert len(launches) == 2
    second_log = next(launches[1].glob('*.log')).read_text()
    assert 'resumed epoch: 1' in second_log
    assert (run / 'train' / 'epoch_1.pth').stat().st_mtime_ns == epoch_1
    result = json.loads((run / 'result.json').read_text())
    assert result['epochs'] == 2
    assert sorted(summary.val_curve(str(run / 'train'), 'accuracy/top1')) == [
        1, 2]
