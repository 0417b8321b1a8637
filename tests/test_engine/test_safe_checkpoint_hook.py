"""SafeCheckpointHook: atomic saves, deletion after the new file is
complete, no non-finite weights on disk, work-dir checks before training.

Toy Runners (tests/test_utils/lnl_toy_modules.py) train in process: 16
samples, batch 4, one checkpoint per epoch. Failures are injected into
MMEngine's LocalBackend.put, which writes every checkpoint's bytes.
"""
import errno
import logging
import os
import os.path as osp
import sys

import pytest
import torch
from mmengine.config import Config
from mmengine.fileio import LocalBackend
from mmengine.runner import Runner

import lnl_mm  # noqa: F401  registers the hooks
from lnl_mm.utils import CheckpointSaveError, WorkDirError
from lnl_mm.utils import checkpoint_globals_allowed, read_checkpoint

sys.path.insert(0, osp.join(osp.dirname(__file__), '..', 'test_utils'))
from lnl_toy_modules import toy_cfg_dict  # noqa: E402

_RUN_ID = [0]


def build_runner(work_dir, max_epochs=2, hook_type='SafeCheckpointHook',
                 resume=False, **hook_args):
    cfg = toy_cfg_dict(work_dir, max_epochs=max_epochs)
    cfg['default_hooks']['checkpoint'] = dict(
        type=hook_type, interval=1, max_keep_ckpts=1, **hook_args)
    cfg['resume'] = resume
    _RUN_ID[0] += 1
    cfg['experiment_name'] = f'safe_ckpt_{os.getpid()}_{_RUN_ID[0]}'
    return Runner.from_cfg(Config(cfg))


def checkpoint_hook(runner):
    return next(h for h in runner.hooks
                if type(h).__name__.endswith('CheckpointHook'))


def listing(work_dir):
    return sorted(n for n in os.listdir(work_dir)
                  if n.endswith(('.pth', '.tmp')) or n == 'last_checkpoint')


def pointer(work_dir):
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        return f.read()


@pytest.fixture
def fail_when_writing(monkeypatch):
    """Make the write of a file whose name contains ``needle`` stop half-way
    with ENOSPC (the bytes already written stay on disk)."""
    real_put = LocalBackend.put

    def arm(needle):
        def put(self, obj, filepath):
            if needle in osp.basename(str(filepath)):
                with open(filepath, 'wb') as f:
                    f.write(obj[:len(obj) // 2])
                raise OSError(errno.ENOSPC, 'No space left on device')
            return real_put(self, obj, filepath)

        monkeypatch.setattr(LocalBackend, 'put', put)

    return arm


def test_failure_in_the_middle_of_a_save_keeps_previous_checkpoint(
        tmp_path, fail_when_writing):
    work_dir = str(tmp_path / 'run')
    fail_when_writing('epoch_2.pth')
    with pytest.raises(CheckpointSaveError) as info:
        build_runner(work_dir).train()
    message = str(info.value)
    assert 'epoch_2.pth' in message and 'No space left' in message
    assert 'intact' in message and '--resume' in message
    # epoch_1 was not deleted (max_keep_ckpts=1), the pointer still names
    # it, no partial file remains, and epoch_1 loads.
    assert listing(work_dir) == ['epoch_1.pth', 'last_checkpoint']
    assert pointer(work_dir) == osp.join(work_dir, 'epoch_1.pth')
    checkpoint = read_checkpoint(osp.join(work_dir, 'epoch_1.pth'))
    assert checkpoint['meta']['epoch'] == 1

    # The same fault with MMEngine's CheckpointHook loses epoch_1 (deleted
    # first) and leaves a partial epoch_2.pth that --resume would pick.
    plain_dir = str(tmp_path / 'plain')
    with pytest.raises(OSError):
        build_runner(plain_dir, hook_type='CheckpointHook').train()
    assert 'epoch_1.pth' not in listing(plain_dir)
    assert 'epoch_2.pth' in listing(plain_dir)


def test_resume_after_a_failed_save_equals_an_uninterrupted_run(
        tmp_path, fail_when_writing, monkeypatch):
    reference = build_runner(str(tmp_path / 'ref'))
    reference.train()
    work_dir = str(tmp_path / 'run')
    fail_when_writing('epoch_2.pth')
    with pytest.raises(CheckpointSaveError):
        build_runner(work_dir).train()
    monkeypatch.undo()
    resumed = build_runner(work_dir, resume=True)
    with checkpoint_globals_allowed():  # as tools/train.py resumes
        resumed.train()
    assert listing(work_dir) == ['epoch_2.pth', 'last_checkpoint']
    for name, value in reference.model.state_dict().items():
        assert torch.equal(resumed.model.state_dict()[name], value), name


def test_failed_best_save_keeps_the_previous_best(tmp_path,
                                                  fail_when_writing):
    work_dir = str(tmp_path / 'run')
    runner = build_runner(
        work_dir, max_epochs=1, save_best='toy/accuracy', rule='greater')
    runner.train()
    hook = checkpoint_hook(runner)
    old_best = hook.best_ckpt_path
    assert osp.isfile(old_best)
    before = listing(work_dir)

    fail_when_writing('best_')
    with pytest.raises(CheckpointSaveError, match='best_toy_accuracy'):
        hook.after_val_epoch(runner, {'toy/accuracy': 1000.0})
    assert listing(work_dir) == before and osp.isfile(old_best)
    assert pointer(work_dir) == osp.join(work_dir, 'epoch_1.pth')

    runner.train_loop._epoch = 2  # a later validation, a better score
    fail_when_writing('no file has this name')  # writes work again
    hook.after_val_epoch(runner, {'toy/accuracy': 2000.0})
    assert not osp.exists(old_best)  # removed after the new best exists
    assert osp.isfile(hook.best_ckpt_path)
    assert read_checkpoint(hook.best_ckpt_path)['message_hub']['runtime_info'][
        'best_score'] == 2000.0


def test_resume_into_another_folder_keeps_the_first_runs_best(tmp_path):
    """A run resumed from another work dir's checkpoint saves its new best
    in its own folder and never deletes the first run's best."""
    first = str(tmp_path / 'first')
    build_runner(first, max_epochs=1, save_best='toy/accuracy',
                 rule='greater').train()
    before = listing(first)
    old_best = [n for n in before if n.startswith('best_')]
    assert old_best
    second = str(tmp_path / 'second')
    runner = build_runner(second, max_epochs=2, resume=True,
                          save_best='toy/accuracy', rule='greater')
    runner.cfg.load_from = osp.join(first, 'epoch_1.pth')
    runner._load_from = osp.join(first, 'epoch_1.pth')
    with checkpoint_globals_allowed():  # as tools/train.py resumes
        runner.train()
    hook = checkpoint_hook(runner)
    hook.after_val_epoch(runner, {'toy/accuracy': 10.0**6})  # a new best
    assert listing(first) == before  # nothing of the first run deleted
    assert osp.dirname(hook.best_ckpt_path) == second
    assert osp.isfile(hook.best_ckpt_path)


def test_non_finite_weights_are_never_saved(tmp_path):
    work_dir = str(tmp_path / 'run')
    runner = build_runner(work_dir, max_epochs=1)
    runner.train()
    before = {n: os.path.getmtime(osp.join(work_dir, n))
              for n in listing(work_dir)}
    with torch.no_grad():
        runner.model.head.weight[0, 0] = float('nan')
    runner.train_loop._epoch = 1
    checkpoint_hook(runner)._save_checkpoint(runner)
    assert {n: os.path.getmtime(osp.join(work_dir, n))
            for n in listing(work_dir)} == before
    assert pointer(work_dir) == osp.join(work_dir, 'epoch_1.pth')


def test_unwritable_dir_and_low_space_are_reported_before_training(tmp_path):
    blocker = tmp_path / 'a_file'
    blocker.write_text('not a directory')
    runner = build_runner(
        str(tmp_path / 'run1'), out_dir=str(blocker / 'checkpoints'))
    with pytest.raises(WorkDirError) as info:
        runner.train()
    assert 'a_file' in str(info.value) and 'Nothing was trained' in str(
        info.value)
    assert runner.iter == 0

    runner = build_runner(str(tmp_path / 'run2'), min_free_bytes=2**60)
    with pytest.raises(WorkDirError, match='Too little free space') as info:
        runner.train()
    assert 'MiB free' in str(info.value) and runner.iter == 0
    assert not [n for n in listing(str(tmp_path / 'run2'))
                if n.endswith('.pth')]


def test_partial_files_of_a_killed_save_are_removed(tmp_path):
    work_dir = tmp_path / 'run'
    work_dir.mkdir()
    stale = work_dir / '.epoch_1.pth.999999.tmp'
    stale.write_bytes(b'half a checkpoint')
    foreign = work_dir / '.notes.tmp'  # not ours: left alone
    foreign.write_text('x')
    build_runner(str(work_dir), max_epochs=1).train()
    assert not stale.exists() and foreign.exists()
    assert listing(str(work_dir)) == [
        '.notes.tmp', 'epoch_1.pth', 'last_checkpoint'
    ]


def test_mmengines_unused_file_client_notices_are_not_logged(tmp_path):
    """mmengine's CheckpointHook logs two deprecation notices about a
    FileClient it never uses; the hook drops exactly those."""
    from lnl_mm.engine.hooks.safe_checkpoint_hook import dropped_log_messages
    runner = build_runner(str(tmp_path), max_epochs=1)
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    runner.logger.addHandler(handler)
    try:
        checkpoint_hook(runner).before_train(runner)
        with dropped_log_messages(runner.logger, ['"FileClient"']):
            runner.logger.warning('another warning')
    finally:
        runner.logger.removeHandler(handler)
    messages = [r.getMessage() for r in records]
    assert not any('FileClient' in m or 'HardDiskBackend' in m
                   for m in messages), messages
    assert messages[-1] == 'another warning'
    assert any(m.startswith('Checkpoints will be saved to') for m in messages)
    # mmengine's own hook does log them: the check above can fail
    records.clear()
    runner.logger.addHandler(handler)
    try:
        from mmengine.hooks import CheckpointHook
        CheckpointHook(interval=1).before_train(runner)
    finally:
        runner.logger.removeHandler(handler)
    assert any('"FileClient" will be deprecated' in r.getMessage()
               for r in records)
