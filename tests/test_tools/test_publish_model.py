"""tools/model_converters/publish_model.py: weights-only checkpoints named
<out>_<YYYYMMDD>-<sha256[:8]>.pth."""
import datetime
import hashlib
import os
import re
import subprocess
import sys

import pytest
import torch

from lnl_mm.utils import CheckpointError, read_checkpoint

from fresh_checkpoints import REPO, build_model, save_checkpoint
from tool_helpers import load_tool

publish_model = load_tool('model_converters/publish_model')


def sha256(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


@pytest.fixture(scope='module')
def lntl_model():
    return build_model('lnl_cmnist.py')


def test_publish_keeps_weights_and_meta_only(tmp_path, lntl_model):
    src = save_checkpoint(lntl_model, tmp_path / 'epoch_16.pth',
                          cfg='model = dict()', dataset_meta=dict(a=1))
    src_hash = sha256(src)
    final = publish_model.publish(src,
                                  str(tmp_path / 'out' / 'lnl_cmnist.pth'))

    # the name: <stem>_<today>-<first 8 hex digits of the file's sha256>
    name = os.path.basename(final)
    match = re.fullmatch(r'lnl_cmnist_(\d{8})-([0-9a-f]{8})\.pth', name)
    assert match, name
    assert match.group(1) == datetime.date.today().strftime('%Y%m%d')
    assert match.group(2) == sha256(final)[:8]
    assert os.listdir(tmp_path / 'out') == [name]   # no temporary left

    published = read_checkpoint(final)   # loads with weights_only=True
    assert set(published) == {'state_dict', 'meta'}
    state = lntl_model.state_dict()
    assert list(published['state_dict']) == list(state)
    for key, value in state.items():
        assert torch.equal(published['state_dict'][key], value), key
    meta = published['meta']
    assert meta['cfg'] == 'model = dict()' and meta['epoch'] == 1
    assert meta['dataset_meta'] == dict(a=1)
    assert meta['lnl_mm_version'] == publish_model.lnl_mm.__version__
    # the training checkpoint is left as it was
    assert sha256(src) == src_hash
    # the published weights load into the model strictly
    fresh = build_model('lnl_cmnist.py', seed=1)
    fresh.load_state_dict(published['state_dict'], strict=True)


def test_publish_is_smaller_and_strips_module_prefix(tmp_path, lntl_model):
    src = str(tmp_path / 'ddp.pth')
    checkpoint = dict(
        meta=dict(epoch=3),
        state_dict={f'module.{k}': v
                    for k, v in lntl_model.state_dict().items()},
        optimizer=dict(state={0: dict(momentum_buffer=torch.zeros(10**5))},
                       param_groups=[dict(lr=0.1)]))
    torch.save(checkpoint, src)
    final = publish_model.publish(src, str(tmp_path / 'model'),
                                  date='20240102')
    assert re.fullmatch(r'model_20240102-[0-9a-f]{8}\.pth',
                        os.path.basename(final))
    assert os.path.getsize(final) < os.path.getsize(src)
    keys = list(read_checkpoint(final)['state_dict'])
    assert keys == list(lntl_model.state_dict())


def test_refuses_non_finite_weights_and_missing_state_dict(tmp_path,
                                                           lntl_model):
    state = {k: v.clone() for k, v in lntl_model.state_dict().items()}
    state['head.fc.weight'][0, 0] = float('nan')
    src = str(tmp_path / 'nan.pth')
    torch.save(dict(meta={}, state_dict=state), src)
    with pytest.raises(CheckpointError, match='head.fc.weight'):
        publish_model.publish(src, str(tmp_path / 'out' / 'nan.pth'))
    torch.save(dict(meta={}, weights={}), str(tmp_path / 'none.pth'))
    with pytest.raises(CheckpointError, match='state_dict'):
        publish_model.publish(str(tmp_path / 'none.pth'),
                              str(tmp_path / 'out' / 'none.pth'))
    # nothing was written
    assert not (tmp_path / 'out').exists() or not os.listdir(tmp_path / 'out')
    with pytest.raises(CheckpointError, match='YYYYMMDD'):
        publish_model.publish(save_checkpoint(lntl_model, tmp_path / 'a.pth'),
                              str(tmp_path / 'out' / 'a.pth'), date='2024-1')


def test_command_line(tmp_path, lntl_model):
    src = save_checkpoint(lntl_model, tmp_path / 'best.pth')
    result = subprocess.run(
        [sys.executable, 'tools/model_converters/publish_model.py', src,
         str(tmp_path / 'baseline_cmnist.pth'), '--date', '20250101'],
        cwd=REPO, capture_output=True, text=True, timeout=300,
        env=dict(os.environ, PYTHONPATH=REPO))
    assert result.returncode == 0, result.stderr
    (name, ) = [n for n in os.listdir(tmp_path) if n.startswith('baseline')]
    assert re.fullmatch(r'baseline_cmnist_20250101-[0-9a-f]{8}\.pth', name)
    digest = sha256(tmp_path / name)
    assert f'sha256 {digest}' in result.stdout
    assert str(tmp_path / name) in result.stdout
    # a user error is one line and status 1
    result = subprocess.run(
        [sys.executable, 'tools/model_converters/publish_model.py',
         str(tmp_path / 'missing.pth'), str(tmp_path / 'x.pth')],
        cwd=REPO, capture_output=True, text=True, timeout=300,
        env=dict(os.environ, PYTHONPATH=REPO))
    assert result.returncode == 1
    assert result.stderr.startswith('ERROR:') and 'missing.pth' in \
        result.stderr
