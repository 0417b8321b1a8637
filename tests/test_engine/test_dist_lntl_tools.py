"""configs/lnl_cmnist.py through tools/dist_train.sh and tools/dist_test.sh
on CPU: 2 gloo processes, the embedded 'sample' digits, a tiny schedule.

* Training: 256 training digits, batch 32 per rank -> 4 iterations of the
  full alternating update (``pretrain_epochs=0``) with ``sync_bn='torch'``
  (converted to CPUSyncBatchNorm), one checkpoint.
* Testing: 999 test digits, which do not divide by the 2 ranks (mmengine's
  DefaultSampler pads rank 1 with a repeat of sample 0; the evaluator must
  drop it): the 2-process metrics equal those of ``python tools/test.py``,
  and the gathered predictions are exactly samples 0..998 once each.
* The plain MMDistributedDataParallel wrapper is refused: no iteration, no
  checkpoint.
"""
import json
import os
import os.path as osp
import pickle
import re
import subprocess
import sys

import pytest
import torch
from dist_testutils import free_port

import lnl_mm  # noqa: F401  registers lnl_mm's components
from lnl_mm.utils import read_checkpoint

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
CONFIG = 'configs/lnl_cmnist.py'
TRAIN_SIZE, RANK_BATCH, TEST_SIZE, VAL_SIZE = 256, 32, 999, 101

pytestmark = [
    pytest.mark.skipif(
        torch.cuda.is_available(), reason='tests the CPU (gloo) path'),
    pytest.mark.skipif(
        not (osp.isfile(osp.join(REPO, 'tools', 'dist_train.sh'))
             and osp.isfile(osp.join(REPO, CONFIG))),
        reason='needs tools/dist_train.sh and configs/lnl_cmnist.py'),
]


def run(cmd, check=True, timeout=240):
    """Run ``cmd`` from the repo root with 1 thread per process."""
    env = dict(os.environ, OMP_NUM_THREADS='1', PORT=str(free_port()))
    proc = subprocess.run(
        cmd, cwd=REPO, env=env, capture_output=True, text=True,
        timeout=timeout)
    out = proc.stdout + proc.stderr
    if check:
        assert proc.returncode == 0, out[-5000:]
    return proc.returncode, out


def data_options() -> list:
    """--cfg-options for the sample digits."""
    opts = []
    for split in ('train', 'val', 'test'):
        loader = f'{split}_dataloader'
        opts += [
            f'{loader}.dataset.source=sample',
            f'{loader}.num_workers=0',
            f'{loader}.persistent_workers=False',
        ]
    return opts + [
        f'train_dataloader.dataset.indices={TRAIN_SIZE}',
        'train_dataloader.sampler.min_length=None',  # one pass per epoch
        f'train_dataloader.batch_size={RANK_BATCH}',
        f'val_dataloader.dataset.indices={VAL_SIZE}',
        f'test_dataloader.dataset.indices={TEST_SIZE}',
        'test_dataloader.batch_size=64',
    ]


def train_cmd(work_dir, *extra) -> list:
    return [
        'bash', 'tools/dist_train.sh', CONFIG, '2', '--work-dir',
        str(work_dir), '--cfg-options', *data_options(),
        'train_cfg.max_epochs=1', 'model.pretrain_epochs=0',
        'default_hooks.checkpoint.interval=1',
        'default_hooks.logger.interval=1', *extra
    ]


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    """(tmp dir, checkpoint, training output) of one
    2-process run."""
    tmp = tmp_path_factory.mktemp('dist_lntl')
    _, out = run(train_cmd(tmp / 'train', 'sync_bn=torch'))
    return tmp, tmp / 'train' / 'epoch_1.pth', out


def test_dist_train_runs_the_alternation_and_saves(trained):
    _, ckpt_path, out = trained
    assert 'CPUSyncBatchNorm' in out
    # 256 digits / 2 ranks / 32 per rank = 4 iterations, each with both
    # phases logged.
    last = re.findall(r'Epoch\(train\) \[1\]\[4/4\].*', out)
    assert last, out[-3000:]
    for key in ('loss_cls', 'loss_entropy', 'loss_bias', 'lambda', 'mu'):
        assert f'{key}: ' in last[0], key
    ckpt = read_checkpoint(ckpt_path)
    assert ckpt['meta']['iter'] == TRAIN_SIZE // (2 * RANK_BATCH)
    assert {'main', 'bias'} <= set(ckpt['optimizer'])
    # Validation gathered the 101 samples of both ranks: x/101 accuracy.
    top1 = float(re.findall(r'Epoch\(val\).*accuracy/top1: ([\d.]+)',
                            out)[-1])
    assert any(abs(top1 - 100 * k / VAL_SIZE) < 1e-4
               for k in range(VAL_SIZE + 1))


def test_dist_test_equals_single_process_without_padding(trained):
    tmp, ckpt, _ = trained
    opts = ['--cfg-options', *data_options()]
    single_json = tmp / 'single.json'
    run([
        sys.executable, 'tools/test.py', CONFIG,
        str(ckpt), '--work-dir',
        str(tmp / 'test1'), '--out',
        str(single_json), '--out-item', 'metrics', *opts
    ])
    pred_pkl = tmp / 'dist_pred.pkl'
    _, out = run([
        'bash', 'tools/dist_test.sh', CONFIG,
        str(ckpt), '2', '--work-dir',
        str(tmp / 'test2'), '--out',
        str(pred_pkl), *opts
    ])
    expected = json.loads(single_json.read_text())
    assert 'accuracy/top1' in expected

    # The gathered predictions: every test sample once, the padding gone.
    with open(pred_pkl, 'rb') as f:
        preds = pickle.load(f)
    assert sorted(p['sample_idx'] for p in preds) == list(range(TEST_SIZE))

    # The metrics the 2-process run logged (4 decimals; BiasAccuracy's and
    # those of any hook that adds to them, e.g. the leakage probe) ...
    logged = dict(
        re.findall(r'(\w+/\w+): ([\d.]+)',
                   re.findall(r'Epoch\(test\).*', out)[-1]))
    assert logged.keys() == expected.keys()
    for name, value in expected.items():
        assert float(logged[name]) == pytest.approx(value, abs=5e-5), name
    # ... and, exactly, BiasAccuracy on its gathered predictions.
    from lnl_mm.evaluation.metrics import BiasAccuracy
    metric = BiasAccuracy()
    metric.process(None, preds)
    got = {f'accuracy/{k}': v
           for k, v in metric.compute_metrics(metric.results).items()}
    assert got == {k: v for k, v in expected.items() if k in got}
    assert got.keys() >= {'accuracy/top1', 'accuracy/conflicting'}


def test_plain_mmddp_run_is_refused(trained):
    tmp, _, _ = trained
    work_dir = tmp / 'plain'
    code, out = run(
        train_cmd(work_dir,
                  'model_wrapper_cfg.type=MMDistributedDataParallel'),
        check=False)
    assert code != 0
    assert 'Epoch(train)' not in out
    assert not osp.exists(work_dir / 'epoch_1.pth')
