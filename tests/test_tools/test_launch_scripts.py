"""The launch scripts on CPU: torchrun with 2 gloo processes, and Slurm.

``srun`` is replaced by a stub that records its arguments and (with
``SRUN_EXEC=1``) runs the command as Slurm would for one task, so
slurm_train.sh is exercised through ``--launcher slurm`` without a cluster.
"""
import json
import os
import os.path as osp
import stat
import subprocess

import pytest
import torch

import lnl_mm  # noqa: F401  registers lnl_mm's components
from lnl_mm.utils import read_checkpoint
from tool_helpers import (REPO, free_port, load_tool, subprocess_env,
                          toy_config)

pytestmark = pytest.mark.skipif(
    torch.cuda.is_available(), reason='tests the CPU (gloo) path')

FAKE_SRUN = """#!/usr/bin/env bash
echo "$@" > "$SRUN_LOG"
[ "$SRUN_EXEC" = 1 ] || exit 0
while [ $# -gt 0 ] && [ "$1" != python ]; do shift; done
SLURM_PROCID=0 SLURM_NTASKS=1 SLURM_LOCALID=0 SLURM_NODELIST=localhost \\
    exec "$@"
"""


def run(cmd, env, timeout=180):
    """Run a launch script from the repo root; fail with its output."""
    proc = subprocess.run(
        cmd, cwd=REPO, env=env, capture_output=True, text=True,
        timeout=timeout)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def read_log(work_dir):
    """The text of the (single) run log in ``work_dir``."""
    logs = [
        osp.join(root, name) for root, _, names in os.walk(work_dir)
        for name in names if name.endswith('.log')
    ]
    assert logs, f'no log in {work_dir}'
    return ''.join(open(path).read() for path in logs)


@pytest.fixture(scope='module')
def dist_trained(tmp_path_factory):
    """Train the toy config with dist_train.sh, 2 CPU processes."""
    tmp_path = tmp_path_factory.mktemp('dist')
    config, work_dir = toy_config(tmp_path)
    run([
        'bash', 'tools/dist_train.sh', config, '2', '--cfg-options',
        'log_level=INFO'
    ], subprocess_env(PORT=free_port()))
    return tmp_path, config, work_dir


def test_dist_train_runs_two_gloo_processes(dist_trained):
    _, _, work_dir = dist_trained
    ckpt = read_checkpoint(osp.join(work_dir, 'epoch_2.pth'))
    # 16 samples / 2 ranks / batch 4 = 2 iterations per epoch (4 with 1 rank)
    assert ckpt['meta']['iter'] == 4
    log = read_log(work_dir)
    assert 'Distributed training: True' in log
    assert "'backend': 'gloo'" in log


def test_dist_test_matches_single_process(dist_trained):
    tmp_path, config, work_dir = dist_trained
    ckpt = osp.join(work_dir, 'epoch_2.pth')
    single, dist = str(tmp_path / 'single.json'), str(tmp_path / 'dist.json')
    load_tool('test').main([
        config, ckpt, '--out', single, '--out-item', 'metrics', '--work-dir',
        str(tmp_path / 't1'), '--cfg-options', 'experiment_name=single_test'
    ])
    env = subprocess_env(PORT=free_port())
    out = run([
        'bash', 'tools/dist_test.sh', config, ckpt, '2', '--out', dist,
        '--out-item', 'metrics', '--work-dir',
        str(tmp_path / 't2')
    ], env)
    with open(single) as f1, open(dist) as f2:
        expected, got = json.load(f1), json.load(f2)
    assert got == expected
    assert f"toy/accuracy: {got['toy/accuracy']}" in out


@pytest.fixture
def fake_srun(tmp_path):
    """Put the srun stub first on PATH; return (env, log path)."""
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    srun = bin_dir / 'srun'
    srun.write_text(FAKE_SRUN)
    srun.chmod(srun.stat().st_mode | stat.S_IEXEC)
    log = str(tmp_path / 'srun_args.txt')
    env = subprocess_env(
        PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        SRUN_LOG=log,
        MASTER_ADDR='127.0.0.1',
        MASTER_PORT=free_port(),
        GPUS=1,
        GPUS_PER_NODE=1,
        CPUS_PER_TASK=2,
        SRUN_ARGS='--quotatype=auto',
        SRUN_EXEC=1)
    return env, log


def test_slurm_scripts(tmp_path, fake_srun):
    env, srun_log = fake_srun
    config, _ = toy_config(tmp_path)
    work_dir = str(tmp_path / 'slurm_wd')
    run([
        'bash', 'tools/slurm_train.sh', 'part', 'job', config, work_dir,
        '--cfg-options', 'log_level=INFO', 'train_cfg.max_epochs=1'
    ], env)
    args = open(srun_log).read()
    for expected in ('-p part', '--job-name=job', '--gres=gpu:1',
                     '--ntasks=1', '--ntasks-per-node=1',
                     '--cpus-per-task=2', '--kill-on-bad-exit=1',
                     '--quotatype=auto', f'--work-dir={work_dir}',
                     '--launcher=slurm', 'train_cfg.max_epochs=1'):
        assert expected in args, expected
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth'))
    log = read_log(work_dir)
    assert 'Distributed launcher: slurm' in log
    assert "'backend': 'gloo'" in log


def test_slurm_test_script_command(tmp_path, fake_srun):
    env, srun_log = fake_srun
    env['SRUN_EXEC'] = '0'
    run([
        'bash', 'tools/slurm_test.sh', 'part', 'job', 'cfg.py', 'ck.pth',
        '--out', 'p.pkl'
    ], env)
    args = open(srun_log).read().split()
    assert args[:2] == ['-p', 'part'] and '--job-name=job' in args
    assert args[args.index('python'):] == [
        'python', '-u', osp.join(REPO, 'tools', 'test.py'), 'cfg.py',
        'ck.pth', '--launcher=slurm', '--out', 'p.pkl'
    ]
