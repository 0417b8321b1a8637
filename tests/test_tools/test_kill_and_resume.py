"""kill -9 and --resume on configs/lnl_cmnist.py (tiny data, one thread per
process): the resumed run's final weights and optimizer state are
bit-identical to an uninterrupted run's, in one process and in 2 gloo
processes. Faults come from tests/test_utils/lnl_fault_hooks.py.

* one process, 3 epochs of 4 iterations (epoch 1 is LNTL's warm-up):
  killed half-way through writing epoch_2.pth (the partial file is never
  used and is removed), resumed and killed in the middle of epoch 3,
  resumed to the end;
* 2 processes, 3 epochs of 2 iterations: a NaN on rank 1 only in the
  middle of epoch 2 (both ranks stop together, nothing hangs), resumed and
  killed in the middle of epoch 3, resumed to the end.
"""
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch

import lnl_mm  # noqa: F401  registers lnl_mm's components
from lnl_mm.utils import ResumeError
from lnl_mm.utils import read_checkpoint
from tool_helpers import (REPO, free_port, load_tool, sample_data_options,
                          subprocess_env)

pytestmark = pytest.mark.skipif(
    torch.cuda.is_available(), reason='tests the CPU (gloo) path')

CONFIG = """_base_ = [{base!r}]
custom_imports = dict(
    imports=['lnl_mm', 'lnl_fault_hooks'], allow_failed_imports=False)
custom_hooks = {hooks!r}
"""
KILLED = -9  # subprocess return code of a process ended by SIGKILL


def write_config(tmp, name, hooks=()):
    path = tmp / f'{name}.py'
    path.write_text(CONFIG.format(
        base=osp.join(REPO, 'configs', 'lnl_cmnist.py'), hooks=list(hooks)))
    return str(path)


def train_in_process(config, work_dir, resume=False):
    """tools/train.py's main in this process, on one thread like the
    subprocesses (saves the imports of a new process)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        load_tool('train').main(
            arguments(config, work_dir, resume) +
            [f'experiment_name=kill_resume_{os.getpid()}_{work_dir.name}'])
    finally:
        torch.set_num_threads(threads)


def options():
    return sample_data_options() + [
        'train_dataloader.dataset.indices=64',
        'train_dataloader.batch_size=16',
        'val_dataloader.dataset.indices=40', 'train_cfg.max_epochs=3',
        'model.pretrain_epochs=1', 'default_hooks.checkpoint.interval=1',
        'default_hooks.logger.interval=1'
    ]


def arguments(config, work_dir, resume):
    return [config, '--work-dir', str(work_dir)] + (
        ['--resume'] if resume else []) + ['--cfg-options', *options()]


def train(config, work_dir, gpus=1, resume=False):
    """Run tools/train.py (or dist_train.sh); return (code, output)."""
    if gpus == 1:
        cmd = [sys.executable, 'tools/train.py']
    else:
        cmd = ['bash', 'tools/dist_train.sh', config, str(gpus)]
    cmd += arguments(config, work_dir, resume)[gpus > 1:]
    proc = subprocess.run(
        cmd, cwd=REPO, capture_output=True, text=True, timeout=300,
        env=subprocess_env(OMP_NUM_THREADS=1, PORT=free_port()))
    return proc.returncode, proc.stdout + proc.stderr


def pointer(work_dir):
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        return f.read()


def assert_bit_identical(path, reference):
    ours, ref = read_checkpoint(path), read_checkpoint(reference)
    assert ours['meta']['iter'] == ref['meta']['iter']
    assert ours['state_dict'].keys() == ref['state_dict'].keys()
    for name, value in ref['state_dict'].items():
        assert torch.equal(ours['state_dict'][name], value), name
    for group in ('main', 'bias'):
        for key, state in ref['optimizer'][group]['state'].items():
            for name, value in state.items():
                assert torch.equal(
                    ours['optimizer'][group]['state'][key][name], value)


def test_kill_during_save_and_mid_epoch_then_resume_one_process(tmp_path):
    work = tmp_path / 'run'
    plain = write_config(tmp_path, 'plain')
    train_in_process(plain, tmp_path / 'ref')

    code, out = train(
        write_config(tmp_path, 'kill_save',
                     [dict(type='KillDuringSaveHook', needle='epoch_2.pth')]),
        work)
    assert code == KILLED, out[-3000:]
    partial = [n for n in os.listdir(work) if n.startswith('.epoch_2.pth')]
    assert partial and not osp.exists(work / 'epoch_2.pth')
    assert pointer(work) == str(work / 'epoch_1.pth')
    assert read_checkpoint(work / 'epoch_1.pth')['meta']['epoch'] == 1

    # epochs 2 and 3 have iterations 4-7 and 8-11: killed in epoch 3
    code, out = train(
        write_config(tmp_path, 'kill_iter',
                     [dict(type='KillAtIterHook', iteration=9)]),
        work, resume=True)
    assert code == KILLED, out[-3000:]
    assert 'resumed epoch: 1, iter: 4' in out
    assert not [n for n in os.listdir(work) if n.endswith('.tmp')]
    assert pointer(work) == str(work / 'epoch_2.pth')

    train_in_process(plain, work, resume=True)
    assert_bit_identical(work / 'epoch_3.pth',
                         tmp_path / 'ref' / 'epoch_3.pth')

    # The case: resuming after changing color_var is refused.
    files = {p.name: p.stat().st_mtime for p in work.iterdir()}
    with pytest.raises(ResumeError) as info:
        load_tool('train').main(
            arguments(plain, work, True) + [
                'train_dataloader.dataset.color_var=0.05',
                'train_cfg.max_epochs=4', 'experiment_name=kill_cv'
            ])
    assert 'train_dataloader.dataset.color_var: 0.02 in the checkpoint, ' \
        '0.05 now' in str(info.value)
    assert {p.name: p.stat().st_mtime for p in work.iterdir()} == files


def test_nan_on_one_rank_and_kill_then_resume_two_processes(tmp_path):
    work = tmp_path / 'run'
    plain = write_config(tmp_path, 'plain')
    code, out = train(plain, tmp_path / 'ref', gpus=2)
    assert code == 0, out[-3000:]

    # epoch 2 (iterations 2 and 3) is past the warm-up: phase B goes
    # through the gradient-reversal neck, made NaN on rank 1 only
    code, out = train(
        write_config(tmp_path, 'nan',
                     [dict(type='NaNOutputHook', module='bias_neck',
                           iteration=3, rank=1)]),
        work, gpus=2)
    assert code != 0
    stops = [line for line in out.splitlines()
             if line.startswith('ERROR: Non-finite loss at epoch 2, '
                                'iteration 2/2')]
    # Every rank that prints, prints the same message, which names rank 1's
    # terms (the ranks share their reports before stopping). torchrun
    # terminates the other worker as soon as one exits with an error, so
    # under load the second copy may never reach the output.
    assert 1 <= len(stops) <= 2, out[-3000:]
    assert len(set(stops)) == 1, stops
    assert 'loss terms on rank 1: loss_bias=nan' in stops[0]
    assert pointer(work) == str(work / 'epoch_1.pth')
    assert not osp.exists(work / 'epoch_2.pth')

    code, out = train(
        write_config(tmp_path, 'kill_iter',
                     [dict(type='KillAtIterHook', iteration=5)]),
        work, gpus=2, resume=True)
    assert code != 0 and pointer(work) == str(work / 'epoch_2.pth')

    code, out = train(plain, work, gpus=2, resume=True)
    assert code == 0, out[-3000:]
    assert_bit_identical(work / 'epoch_3.pth',
                         tmp_path / 'ref' / 'epoch_3.pth')
