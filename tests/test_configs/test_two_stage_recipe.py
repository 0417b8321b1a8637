"""The paper's two-stage recipe through tools/train.py: a baseline checkpoint
loads into LNTLClassifier (configs/lnl_cmnist_from_baseline.py), which then
unlearns at lr 0.001 from the baseline's f and g."""
import os
import os.path as osp
import subprocess
import sys

import lnl_mm  # noqa: F401  registers lnl_mm's components
from lnl_mm.utils import read_checkpoint

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


def train(config, work_dir, *options):
    data = []
    for split in ('train', 'val', 'test'):
        data += [
            f'{split}_dataloader.dataset.source=sample',
            f'{split}_dataloader.num_workers=0',
        ]
    cmd = [
        sys.executable, 'tools/train.py', config, '--work-dir',
        str(work_dir), '--cfg-options', *data,
        'train_dataloader.dataset.indices=64',
        'train_dataloader.sampler.min_length=None',  # one pass per epoch
        'train_dataloader.batch_size=32', 'val_dataloader.dataset.indices=32',
        'train_cfg.max_epochs=1', *options
    ]
    proc = subprocess.run(
        cmd, cwd=REPO, capture_output=True, text=True, timeout=300,
        env=dict(os.environ, OMP_NUM_THREADS='1'))
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    return proc.stdout + proc.stderr


def load(path):
    return read_checkpoint(path, map_location='cpu')


def test_baseline_checkpoint_starts_lntl_unlearning(tmp_path):
    train('configs/baseline_cmnist.py', tmp_path / 'base')
    base_ckpt = tmp_path / 'base' / 'epoch_1.pth'
    # Another seed: a fresh initialisation would differ from the baseline.
    log = train('configs/lnl_cmnist_from_baseline.py', tmp_path / 'lntl',
                f'load_from={base_ckpt}', 'randomness.seed=1')
    assert 'Load checkpoint from' in log

    base = load(base_ckpt)
    lntl = load(tmp_path / 'lntl' / 'epoch_1.pth')
    for name in ('backbone.f.0.weight', 'backbone.g.2.weight',
                 'head.fc.weight'):
        change = (lntl['state_dict'][name] - base['state_dict'][name]).abs()
        assert change.max() < 5e-3, name  # 2 iterations at lr 0.001
    assert any(k.startswith('bias_head.') for k in lntl['state_dict'])
    for group in ('main', 'bias'):
        lrs = {g['lr'] for g in lntl['optimizer'][group]['param_groups']}
        assert lrs == {0.001}
