"""tools/train.py and tools/test.py: arguments, runs, refusals."""
import json
import os
import os.path as osp
import pickle

import pytest
import torch
from mmengine.config import Config

from lnl_mm.engine.hooks import NonFiniteLossHook
from lnl_mm.utils import CheckpointError, UntrustedCheckpointError, UserError
from lnl_mm.utils import amp as amp_module
from lnl_mm.utils import read_checkpoint
from tool_helpers import load_tool, toy_config

train_tool = load_tool('train')
test_tool = load_tool('test')


def test_train_arguments():
    args = train_tool.parse_args(['c.py', '--resume'])
    assert args.resume == 'auto' and args.launcher == 'none'
    args = train_tool.parse_args(
        ['c.py', '--resume', 'x.pth', '--local-rank', '1', '--amp',
         '--cfg-options', 'model.mu=0.2'])
    assert (args.resume, args.local_rank, args.amp) == ('x.pth', 1, True)
    assert args.cfg_options == {'model.mu': 0.2}
    assert train_tool.parse_args(['c.py', '--local_rank', '2']).local_rank == 2


def test_train_merge_args(tmp_path):
    config, _ = toy_config(tmp_path)
    args = train_tool.parse_args([
        config, '--no-validate', '--resume', '--no-pin-memory',
        '--cfg-options', 'train_dataloader.num_workers=2'
    ])
    cfg = train_tool.merge_args(Config.fromfile(config), args)
    assert cfg.val_cfg is None and cfg.val_dataloader is None
    assert cfg.resume is True and cfg.load_from is None
    assert cfg.train_dataloader.pin_memory is False
    assert cfg.train_dataloader.persistent_workers is True  # 2 workers
    assert cfg.test_dataloader.persistent_workers is False  # 0 workers

    cfg = Config.fromfile(config)
    cfg.work_dir = None
    cfg.default_scope = None
    args = train_tool.parse_args(
        [config, '--resume', 'a.pth', '--no-persistent-workers'])
    cfg = train_tool.merge_args(cfg, args)
    assert (cfg.resume, cfg.load_from) == (True, 'a.pth')
    assert cfg.work_dir == osp.join('./work_dirs', 'toy')
    assert cfg.default_scope == 'mmpretrain'
    assert cfg.train_dataloader.persistent_workers is False


def test_train_amp_transforms_both_optimizers(tmp_path, monkeypatch):
    monkeypatch.setattr(amp_module, 'amp_device_available', lambda: True)
    config, _ = toy_config(tmp_path, dict_optim=True)
    cfg = train_tool.merge_args(
        Config.fromfile(config), train_tool.parse_args([config, '--amp']))
    assert cfg.optim_wrapper.main.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.bias.loss_scale == 'dynamic'


def test_train_amp_fails_at_once_without_cuda(tmp_path, monkeypatch):
    monkeypatch.setattr(amp_module, 'amp_device_available', lambda: False)
    config, work_dir = toy_config(tmp_path)
    with pytest.raises(RuntimeError, match='--amp needs a CUDA device'):
        train_tool.main([config, '--amp'])
    assert not osp.exists(work_dir)  # failed before the Runner was built


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    """Train the toy config (OptimWrapperDict) for 2 epochs via train.py."""
    tmp_path = tmp_path_factory.mktemp('tools')
    config, work_dir = toy_config(tmp_path, dict_optim=True)
    train_tool.main([config, '--cfg-options', 'experiment_name=tools_train'])
    return config, work_dir


def test_train_then_test_prints_and_dumps(trained, tmp_path, capsys):
    config, work_dir = trained
    ckpt = osp.join(work_dir, 'epoch_2.pth')
    assert osp.isfile(ckpt)
    preds = str(tmp_path / 'preds.pkl')
    metrics = test_tool.main([
        config, ckpt, '--work-dir',
        str(tmp_path / 'test'), '--out', preds, '--cfg-options',
        'experiment_name=tools_test'
    ])
    assert set(metrics) == {'toy/accuracy'}
    assert f"toy/accuracy: {metrics['toy/accuracy']}" in capsys.readouterr(
    ).out
    with open(preds, 'rb') as f:
        dumped = pickle.load(f)
    assert len(dumped) == 16 and set(dumped[0]) == {'pred', 'gt'}
    assert 100 * sum(d['pred'] == d['gt'] for d in dumped) / 16 == \
        pytest.approx(metrics['toy/accuracy'])

    out = str(tmp_path / 'metrics.json')
    test_tool.main([
        config, ckpt, '--work-dir',
        str(tmp_path / 'test2'), '--out', out, '--out-item', 'metrics',
        '--cfg-options', 'experiment_name=tools_test2'
    ])
    with open(out) as f:
        assert json.load(f) == metrics


def test_train_auto_resume_continues(trained):
    config, work_dir = trained
    train_tool.main([
        config, '--resume', '--cfg-options', 'train_cfg.max_epochs=3',
        'experiment_name=tools_resume'
    ])
    ckpt = read_checkpoint(osp.join(work_dir, 'epoch_3.pth'))
    assert ckpt['meta']['iter'] == 12  # 8 resumed + 4, not 4 from scratch


def test_resume_without_a_checkpoint_says_it_starts_from_scratch(
        tmp_path, monkeypatch):
    logged = []
    monkeypatch.setattr(train_tool, 'print_log',
                        lambda msg, **kwargs: logged.append(msg))
    config, _ = toy_config(tmp_path)
    fresh = tmp_path / 'fresh'
    train_tool.main([config, '--resume', '--work-dir', str(fresh),
                     '--cfg-options', 'train_cfg.max_epochs=1',
                     'experiment_name=tools_fresh_resume'])
    assert any('has no last_checkpoint, so training starts from scratch'
               in msg for msg in logged)
    assert (fresh / 'epoch_1.pth').exists()


class _Evil:

    def __reduce__(self):
        return os.system, ('echo pwned', )


def test_tools_explain_untrusted_checkpoint(trained, tmp_path):
    config, _ = trained
    evil = str(tmp_path / 'evil.pth')
    torch.save(dict(state_dict={}, meta=_Evil()), evil)
    with pytest.raises(UntrustedCheckpointError) as info:
        test_tool.main([
            config, evil, '--work-dir',
            str(tmp_path / 't'), '--cfg-options', 'experiment_name=evil_test'
        ])
    assert evil in str(info.value) and 'system' in str(info.value)
    assert 'add_safe_globals' in str(info.value)
    with pytest.raises(UntrustedCheckpointError, match='evil.pth'):
        train_tool.main([
            config, '--resume', evil, '--work-dir',
            str(tmp_path / 'r'), '--cfg-options', 'experiment_name=evil_train'
        ])


def test_test_refusals(tmp_path):
    config, _ = toy_config(tmp_path)
    with pytest.raises(ValueError, match='--out-item needs --out'):
        test_tool.parse_args([config, 'c.pth', '--out-item', 'pred'])
    with pytest.raises(ValueError, match='.pkl'):
        test_tool.parse_args([config, 'c.pth', '--out', 'p.json'])
    args = test_tool.parse_args([config, 'c.pth', '--tta'])
    with pytest.raises(ValueError, match='--tta needs tta_model and '
                       'tta_pipeline'):
        test_tool.merge_args(Config.fromfile(config), args)
    args = test_tool.parse_args([config, 'c.pth', '--show-dir', 'vis'])
    with pytest.raises(ValueError, match='VisualizationHook'):
        test_tool.merge_args(Config.fromfile(config), args)


def test_refused_checkpoints_leave_no_work_dir(tmp_path):
    """The file checks run before anything is created."""
    config, _ = toy_config(tmp_path)
    notes = tmp_path / 'notes.pth'
    notes.write_text('my notes\n')
    with pytest.raises(CheckpointError, match='text file'):
        test_tool.main([config, str(notes), '--work-dir',
                        str(tmp_path / 't')])
    with pytest.raises(CheckpointError, match='text file'):
        train_tool.main([config, '--work-dir', str(tmp_path / 'r'),
                         '--cfg-options', f'load_from={notes}'])
    assert not (tmp_path / 't').exists() and not (tmp_path / 'r').exists()


def test_user_errors_are_user_errors(tmp_path, monkeypatch):
    """Reported by the tools as one ERROR line, not a traceback."""
    monkeypatch.setattr(amp_module, 'amp_device_available', lambda: False)
    config, _ = toy_config(tmp_path)
    with pytest.raises(UserError):
        train_tool.main([config, '--amp'])
    with pytest.raises(UserError):
        test_tool.parse_args([config, 'c.pth', '--out', 'p.json'])
    with pytest.raises(UserError):
        NonFiniteLossHook(policy='ignore')


def test_test_merge_args_tta_and_visualization(tmp_path):
    config, _ = toy_config(tmp_path)
    cfg = Config.fromfile(config)
    cfg.tta_model = dict(type='AverageClsScoreTTA')
    cfg.tta_pipeline = [dict(type='TestTimeAug', transforms=[])]
    cfg.test_dataloader.dataset.pipeline = []
    cfg.default_hooks.visualization = dict(type='VisualizationHook')
    args = test_tool.parse_args([
        config, 'c.pth', '--tta', '--show-dir', 'vis', '--interval', '3',
        '--no-pin-memory'
    ])
    cfg = test_tool.merge_args(cfg, args)
    assert cfg.load_from == 'c.pth' and cfg.resume is False
    assert cfg.model.type == 'AverageClsScoreTTA'
    assert cfg.model.module.type == 'ToyClassifier'
    assert cfg.test_dataloader.dataset.pipeline == cfg.tta_pipeline
    vis = cfg.default_hooks.visualization
    assert (vis.enable, vis.out_dir, vis.interval) == (True, 'vis', 3)
    assert cfg.test_dataloader.pin_memory is False
