"""Checkpoints of real Runners load with torch.load(weights_only=True).

A toy Runner trains 2 epochs on CPU (single OptimWrapper, and an
OptimWrapperDict with per-optimizer schedulers); its checkpoints must then
resume, ``load_from`` and test with torch's default ``weights_only=True``,
while a checkpoint holding an arbitrary callable is refused.
"""
import io
import os
import os.path as osp
import pickle
import subprocess
import sys
import zipfile

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.logging import HistoryBuffer
from mmengine.runner import CheckpointLoader, Runner, load_checkpoint

from lnl_mm.utils import (UntrustedCheckpointError, checkpoint_globals_allowed,
                          checkpoint_safe_globals,
                          explain_untrusted_checkpoint,
                          register_checkpoint_loader)
from lnl_toy_modules import ToyClassifier, toy_cfg_dict

# These toy Runners have no CheckpointCheckHook: they load through MMEngine's
# loader, as a script of a user's own would after this documented call.
register_checkpoint_loader()

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
_RUN_ID = [0]


def build_runner(work_dir, dict_optim, **overrides):
    """Build a toy Runner with a unique experiment name."""
    cfg = toy_cfg_dict(work_dir, dict_optim=dict_optim)
    cfg.update(overrides)
    _RUN_ID[0] += 1
    cfg['experiment_name'] = f'ckpt_safety_{os.getpid()}_{_RUN_ID[0]}'
    return Runner.from_cfg(Config(cfg))


@pytest.fixture(scope='module', params=[False, True], ids=['single', 'dict'])
def trained(request, tmp_path_factory):
    """Train 2 epochs; return (work_dir, dict_optim, final runner)."""
    work_dir = str(tmp_path_factory.mktemp('run'))
    runner = build_runner(work_dir, request.param)
    runner.train()
    return work_dir, request.param, runner


def test_checkpoint_holds_only_registered_globals(trained):
    work_dir, _, _ = trained
    path = osp.join(work_dir, 'epoch_2.pth')
    unsafe = set(torch.serialization.get_unsafe_globals_in_checkpoint(path))
    # torch alone refuses the file; lnl_mm's allow-list, in its block only,
    # lets exactly these globals through
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path)
    with checkpoint_globals_allowed():
        assert torch.serialization.get_unsafe_globals_in_checkpoint(
            path) == []
        assert torch.load(path)['meta']['epoch'] == 2
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path)
    assert unsafe == {
        'builtins.getattr', 'mmengine.logging.history_buffer.HistoryBuffer',
        'numpy._core.multiarray._reconstruct', 'numpy._core.multiarray.scalar',
        'numpy.dtype', 'numpy.ndarray'
    }


def test_resume_restores_optimizers_and_schedulers(trained):
    work_dir, dict_optim, first = trained
    ckpt = CheckpointLoader.load_checkpoint(
        osp.join(work_dir, 'epoch_2.pth'), map_location='cpu')
    assert ckpt['meta']['epoch'] == 2 and ckpt['meta']['iter'] == 8
    assert isinstance(ckpt['message_hub']['log_scalars']['train/loss'],
                      HistoryBuffer)

    runner = build_runner(work_dir, dict_optim, resume=True)
    runner.train_loop._max_epochs = 3
    runner.train()
    # continued from epoch 2 (4 iterations/epoch), not restarted
    assert runner.epoch == 3 and runner.iter == 12
    if dict_optim:
        assert set(ckpt['optimizer']) == {'main', 'bias'}
        assert set(runner.param_schedulers) == {'main', 'bias'}
        # main: MultiStepLR x0.1 at epoch 1, kept after resume
        assert runner.optim_wrapper['main'].get_lr()['lr'] == [
            pytest.approx(0.01)
        ]
        assert runner.param_schedulers['bias'][1]._global_step == 3
    else:
        assert runner.optim_wrapper.get_lr()['lr'] == [pytest.approx(0.01)]
        assert runner.param_schedulers[0]._global_step == 3
    # the history of the first run came back with the message hub
    assert len(runner.message_hub.get_scalar('train/loss').data[0]) == 12


def test_load_from_and_test(trained):
    work_dir, dict_optim, first = trained
    path = osp.join(work_dir, 'epoch_2.pth')
    runner = build_runner(
        osp.join(work_dir, 'test'), dict_optim, load_from=path)
    metrics = runner.test()
    expected = first.model.state_dict()
    for key, value in runner.model.state_dict().items():
        torch.testing.assert_close(value, expected[key])
    assert metrics['toy/accuracy'] == pytest.approx(
        first.message_hub.get_scalar('val/toy/accuracy').current())


def test_numpy_values_and_numpy1_paths_load(tmp_path):
    obj = dict(
        array=np.arange(3.0),
        ints=np.arange(4, dtype=np.int64),
        f32=np.ones(2, np.float32),
        scalar=np.float64(1.5),
        int_scalar=np.int32(3),
        flag=np.bool_(True),
        buffer=HistoryBuffer([1.0, 2.0], [1, 1]))
    path = str(tmp_path / 'numpy.pth')
    torch.save(obj, path)
    with checkpoint_globals_allowed():
        loaded = torch.load(path)  # weights_only=True by default
    np.testing.assert_array_equal(loaded['ints'], obj['ints'])
    assert loaded['scalar'] == 1.5 and loaded['int_scalar'] == 3
    assert loaded['buffer'].mean() == 1.5

    # the same file as numpy 1 writes it (numpy.core instead of numpy._core)
    old = str(tmp_path / 'numpy1.pth')
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(old, 'w') as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith('data.pkl'):
                assert b'numpy._core.multiarray' in data
                data = data.replace(b'numpy._core.multiarray',
                                    b'numpy.core.multiarray')
            dst.writestr(info, data)
    with checkpoint_globals_allowed():
        loaded = torch.load(old)
    np.testing.assert_array_equal(loaded['array'], obj['array'])


def _record_call(path):
    """A 'payload' that proves it ran by creating ``path``."""
    with open(path, 'w') as f:
        f.write('ran')
    return {}


class RunsOsSystem:
    """Unpickles as ``os.system('touch <marker>')``."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f'touch {self.marker}', )


class RunsCustomCallable:
    """Unpickles as a call of a function of this test module."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return _record_call, (self.marker, )


class GetattrEscape:
    """Unpickles as ``getattr(HistoryBuffer, '__init__')``."""

    def __reduce__(self):
        return getattr, (HistoryBuffer, '__init__')


@pytest.mark.parametrize('payload', [RunsOsSystem, RunsCustomCallable])
def test_checkpoint_with_callable_is_refused(tmp_path, payload):
    marker = str(tmp_path / 'pwned')
    path = str(tmp_path / 'evil.pth')
    model = ToyClassifier()
    torch.save(dict(state_dict=model.state_dict(), meta=payload(marker)), path)

    with pytest.raises(pickle.UnpicklingError):
        CheckpointLoader.load_checkpoint(path, map_location='cpu')
    with pytest.raises(pickle.UnpicklingError):
        load_checkpoint(model, path, map_location='cpu')
    assert not osp.exists(marker), 'the pickled callable ran'

    with pytest.raises(UntrustedCheckpointError) as info:
        with explain_untrusted_checkpoint(path):
            load_checkpoint(model, path, map_location='cpu')
    message = str(info.value)
    name = 'posix.system' if payload is RunsOsSystem else '_record_call'
    assert path in message and name in message
    assert 'add_safe_globals' in message and 'does not trust' in message
    assert not osp.exists(marker)


def test_getattr_is_restricted_to_history_buffer_methods(tmp_path):
    path = str(tmp_path / 'getattr.pth')
    torch.save(dict(x=GetattrEscape()), path)
    with checkpoint_globals_allowed():
        with pytest.raises(pickle.UnpicklingError, match='__init__'):
            torch.load(path)
        # HistoryBuffer's own statistics methods still come back
        buffer = io.BytesIO()
        torch.save(dict(b=HistoryBuffer([3.0], [1])), buffer)
        buffer.seek(0)
        assert torch.load(buffer)['b'].statistics('max') == 3.0


def test_safe_globals_are_exactly_the_documented_ones():
    names = {
        item[1] if isinstance(item, tuple) else
        f'{item.__module__}.{item.__qualname__}'
        for item in checkpoint_safe_globals()
    }
    assert 'builtins.getattr' in names
    assert {'numpy.core.multiarray._reconstruct',
            'numpy._core.multiarray.scalar'} <= names
    # nothing that could run code or build arbitrary objects
    assert not any(name.startswith(('os.', 'posix.', 'subprocess.',
                                    'builtins.eval', 'builtins.exec'))
                   for name in names)
    assert 'numpy.dtypes.ObjectDType' not in names


def test_allow_list_is_scoped_and_leaves_the_users_entries():
    """import lnl_mm allows nothing process-wide; the block adds lnl_mm's
    types and removes only what it added."""
    torch.serialization.clear_safe_globals()
    torch.serialization.add_safe_globals([np.dtype])  # the user's own
    try:
        with checkpoint_globals_allowed() as added:
            inside = torch.serialization.get_safe_globals()
        assert np.dtype not in added and HistoryBuffer in added
        assert HistoryBuffer in inside
        assert torch.serialization.get_safe_globals() == [np.dtype]
    finally:
        torch.serialization.clear_safe_globals()


def test_import_changes_no_process_wide_state():
    """(Importing mmpretrain lets torch allow a type of its own; lnl_mm's
    types must not be allowed and MMEngine's loader must be its own.)"""
    code = (
        'import torch\n'
        'from mmengine.runner.checkpoint import CheckpointLoader as L\n'
        "loader = L._schemes.get('')\n"
        'import lnl_mm\n'
        'from lnl_mm.utils import checkpoint_safe_globals as ours\n'
        'from lnl_mm.utils.checkpoint import _global_name as name\n'
        'allowed = {name(g) for g in torch.serialization.get_safe_globals()}\n'
        'assert not allowed & {name(g) for g in ours()}, allowed\n'
        "assert L._schemes[''] is loader\n"
        'from lnl_mm.utils import register_checkpoint_loader\n'
        'register_checkpoint_loader()\n'
        "assert L._schemes[''] is not loader\n")
    done = subprocess.run([sys.executable, '-c', code], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]


def test_untrusted_message_names_only_what_is_refused(tmp_path):
    """A real checkpoint's allowed types (HistoryBuffer, numpy) plus one
    payload: the message names the payload alone and does not suggest
    weights_only=False."""
    path = str(tmp_path / 'mixed.pth')
    torch.save(dict(message_hub=dict(b=HistoryBuffer([1.0], [1])),
                    meta=dict(x=np.arange(3.0), evil=RunsOsSystem('x'))),
               path)
    with pytest.raises(UntrustedCheckpointError) as info:
        with explain_untrusted_checkpoint(path):
            CheckpointLoader.load_checkpoint(path, map_location='cpu')
    message = str(info.value)
    assert 'posix.system' in message
    assert 'HistoryBuffer' not in message and 'numpy' not in message
    assert 'weights_only=False' not in message
