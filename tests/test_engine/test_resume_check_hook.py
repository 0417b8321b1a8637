"""ResumeCheckHook: resuming with other model or data fields is refused,
naming each field and both values; schedule fields may change and take
effect; an explicit switch allows a deliberate change.

Toy Runners (tests/test_utils/lnl_toy_modules.py) train in process.
"""
import os
import os.path as osp
import sys

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

import lnl_mm  # noqa: F401
from lnl_mm.utils import ResumeError
from lnl_mm.utils.config_diff import (Unreadable, config_differences,
                                      parse_config_text)
from lnl_mm.utils import read_checkpoint

sys.path.insert(0, osp.join(osp.dirname(__file__), '..', 'test_utils'))
from lnl_toy_modules import toy_cfg_dict  # noqa: E402

_RUN_ID = [0]


def build_runner(work_dir, max_epochs=1, resume=False, milestones=(1, ),
                 dataset_seed=0, load_from=None, lr=0.1, **hook_args):
    cfg = toy_cfg_dict(work_dir, max_epochs=max_epochs)
    cfg['optim_wrapper']['optimizer']['lr'] = lr
    cfg['train_dataloader']['dataset']['seed'] = dataset_seed
    cfg['param_scheduler'][0]['milestones'] = list(milestones)
    cfg['default_hooks']['checkpoint'] = dict(
        type='SafeCheckpointHook', interval=1, save_best='toy/accuracy',
        rule='greater')
    cfg['default_hooks']['resume_check'] = dict(
        type='ResumeCheckHook', **hook_args)
    cfg['resume'], cfg['load_from'] = resume, load_from
    _RUN_ID[0] += 1
    cfg['experiment_name'] = f'resume_check_{os.getpid()}_{_RUN_ID[0]}'
    return Runner.from_cfg(Config(cfg))


@pytest.fixture
def one_epoch(tmp_path):
    work_dir = str(tmp_path / 'run')
    build_runner(work_dir).train()
    return work_dir


def test_changed_data_field_is_refused_naming_both_values(one_epoch):
    runner = build_runner(one_epoch, max_epochs=2, resume=True,
                          dataset_seed=7)
    with pytest.raises(ResumeError) as info:
        runner.train()
    message = str(info.value)
    assert osp.join(one_epoch, 'epoch_1.pth') in message
    assert 'train_dataloader.dataset.seed: 0 in the checkpoint, 7 now' in \
        message
    assert 'allow_changes=[train_dataloader.dataset.seed]' in message
    assert runner.iter == 0  # nothing was trained
    assert sorted(n for n in os.listdir(one_epoch) if n.endswith('.pth')) \
        == ['best_toy_accuracy_epoch_1.pth', 'epoch_1.pth']


def test_changed_learning_rate_is_refused_as_it_would_not_apply(one_epoch):
    with pytest.raises(ResumeError) as info:
        build_runner(one_epoch, max_epochs=2, resume=True, lr=0.5).train()
    message = str(info.value)
    assert 'optim_wrapper.optimizer.lr: 0.1 in the checkpoint, 0.5 now' in \
        message
    assert 'restores the optimizers\' settings' in message
    assert 'load_from=' in message


@pytest.mark.parametrize('allow', [True, ['train_dataloader.dataset.s*']])
def test_explicit_switch_allows_a_deliberate_change(one_epoch, allow):
    runner = build_runner(one_epoch, max_epochs=2, resume=True,
                          dataset_seed=7, allow_changes=allow)
    runner.train()
    assert runner.epoch == 2


def test_a_switch_for_another_field_does_not_allow_this_one(one_epoch):
    runner = build_runner(one_epoch, max_epochs=2, resume=True,
                          dataset_seed=7, allow_changes=['model.*'])
    with pytest.raises(ResumeError, match='dataset.seed'):
        runner.train()


def test_schedule_changes_are_allowed_and_take_effect(tmp_path, one_epoch):
    """1 epoch, then resumed to 3 epochs with the lr drop moved to epoch 2:
    bit-identical to 3 uninterrupted epochs with that schedule. MMEngine
    alone would restore the old schedule (end=1 epoch) and never drop."""
    reference = build_runner(str(tmp_path / 'ref'), max_epochs=3,
                             milestones=(2, ))
    reference.train()
    resumed = build_runner(one_epoch, max_epochs=3, resume=True,
                           milestones=(2, ))
    resumed.train()
    for name, value in reference.model.state_dict().items():
        assert torch.equal(resumed.model.state_dict()[name], value), name
    assert resumed.optim_wrapper.get_lr()['lr'] == [pytest.approx(0.01)]

    kept = build_runner(str(tmp_path / 'kept'))
    kept.train()
    stale = build_runner(str(tmp_path / 'kept'), max_epochs=3, resume=True,
                         milestones=(2, ), apply_schedule_changes=False)
    stale.train()
    assert stale.optim_wrapper.get_lr()['lr'] == [pytest.approx(0.1)]


def test_best_checkpoint_cannot_be_resumed(one_epoch):
    runner = build_runner(
        one_epoch, max_epochs=2, resume=True,
        load_from=osp.join(one_epoch, 'best_toy_accuracy_epoch_1.pth'))
    with pytest.raises(ResumeError, match='without the optimizer state'):
        runner.train()


def test_dataset_metainfo_change_is_refused(one_epoch):
    path = osp.join(one_epoch, 'epoch_1.pth')
    checkpoint = read_checkpoint(path)
    checkpoint['meta']['dataset_meta'] = dict(classes=('a', 'b', 'c'))
    torch.save(checkpoint, path)
    with pytest.raises(ResumeError) as info:
        build_runner(one_epoch, max_epochs=2, resume=True).train()
    assert "train_dataloader.dataset.metainfo.classes: ('a', 'b', 'c') in " \
        'the checkpoint, (0, 1, 2) now' in str(info.value)


def test_saved_config_is_read_without_executing_it(tmp_path):
    marker = tmp_path / 'executed'
    text = (f"model = dict(type='M', depth=2, mean=[1.5, -2])\n"
            f"evil = __import__('os').system('touch {marker}')\n"
            f"train_dataloader = dict(batch_size=4, dataset=dict(pipeline=["
            f"dict(type='A'), dict(type='B', p=(1, 2))]))\n")
    saved = parse_config_text(text)
    assert not marker.exists() and isinstance(saved['evil'], Unreadable)
    current = dict(model=dict(type='M', depth=3, mean=(1.5, -2)),
                   train_dataloader=dict(batch_size=4, dataset=dict(
                       pipeline=[dict(type='A'), dict(type='C', p=[1, 2])])))
    assert config_differences(saved, current, ['model', 'train_dataloader'])\
        == [('model.depth', 2, 3),
            ('train_dataloader.dataset.pipeline.1.type', 'B', 'C')]
