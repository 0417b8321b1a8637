"""NonFiniteLossHook around LNTLClassifier.train_step (both phases), with
plain and AMP optimizer wrappers, and through tools/train.py.

The hook is driven as the Runner drives it (before_train,
before_train_iter, train_step, after_train_iter) on the LNTL model and
batches of lntl_ddp_worker. A NaN is injected into one pixel of the
input (every loss term becomes NaN) or into phase B only.
"""
import copy
import os.path as osp
import sys

import pytest
import torch
from mmengine.logging import MessageHub

import lnl_mm  # noqa: F401
import lntl_ddp_worker as worker
from lnl_mm.engine.hooks import NonFiniteLossHook
from lnl_mm.utils import NonFiniteLossError
from lnl_mm.utils import read_checkpoint

sys.path.insert(0, osp.join(osp.dirname(__file__), '..', 'test_tools'))
from tool_helpers import REPO, load_tool, sample_data_options  # noqa: E402


class FakeRunner:
    """What the hook reads from a Runner, and a logger that records."""

    def __init__(self, model, optim_wrapper):
        self.model, self.optim_wrapper = model, optim_wrapper
        self.epoch, self.iter = 1, 5
        self.train_dataloader = [None] * 4
        self.message_hub = MessageHub.get_instance(f'nonfinite_{id(self)}')
        self.message_hub.update_info('last_ckpt', 'work/epoch_1.pth')
        self.records = []
        self.logger = self

    def warning(self, msg):
        self.records.append(('warning', msg))

    def error(self, msg):
        self.records.append(('error', msg))


def batch(nan=False):
    data = worker.shard(worker.make_batches()[0], 0, 4)  # 32 samples
    if nan:
        data['inputs'] = [img.float() for img in data['inputs']]
        data['inputs'][3][0, 14, 14] = float('nan')
    return data


def setup(policy, build_optim=worker.build_optim):
    model = worker.build_model()
    optim = build_optim(model)
    runner = FakeRunner(model, optim)
    hook = NonFiniteLossHook(policy=policy)
    hook.before_train(runner)
    return model, optim, runner, hook


def iterate(runner, hook, data, batch_idx=1):
    hook.before_train_iter(runner, batch_idx)
    outputs = runner.model.train_step(
        copy.deepcopy(data), runner.optim_wrapper)
    hook.after_train_iter(runner, batch_idx, outputs=outputs)
    return outputs


def params(model, prefix=''):
    return {k: v.detach().clone() for k, v in model.named_parameters()
            if k.startswith(prefix)}


def buffers(model):
    return {k: v.detach().clone() for k, v in model.named_buffers()}


def same(a, b):
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_stop_names_where_what_and_why_and_applies_nothing():
    model, _, runner, hook = setup('stop')
    iterate(runner, hook, batch())  # a finite iteration passes
    before = params(model)
    with pytest.raises(NonFiniteLossError) as info:
        iterate(runner, hook, batch(nan=True))
    message = str(info.value)
    for words in ('epoch 2, iteration 2/4', 'iteration 6 of the run',
                  'loss_cls=nan', 'loss_bias=nan', 'main, bias',
                  'main.lr=0.05', 'bias.lr=0.05', 'learning rate too high',
                  'AMP', 'work/epoch_1.pth', 'policy=skip'):
        assert words in message, words
    assert same(params(model), before)  # neither phase's step was applied
    assert runner.records[-1] == ('error', message)


def test_skip_drops_only_the_non_finite_phase_and_restores_buffers(
        monkeypatch):
    model, _, runner, hook = setup('skip')
    h_before, g_before = params(model, 'bias_head'), params(model, 'head')
    buffers_before = buffers(model)
    real_phase_b = model.loss_phase_b

    def nan_phase_b(*args, **kwargs):
        losses = real_phase_b(*args, **kwargs)
        losses['loss_bias'] = losses['loss_bias'] * float('nan')
        return losses

    monkeypatch.setattr(model, 'loss_phase_b', nan_phase_b)
    outputs = iterate(runner, hook, batch())
    assert torch.isnan(outputs['loss_bias'])
    assert same(params(model, 'bias_head'), h_before)  # B's step dropped
    assert not same(params(model, 'head'), g_before)  # A's step applied
    assert all(torch.isfinite(p).all() for p in params(model).values())
    assert same(buffers(model), buffers_before)  # BN statistics restored
    kind, message = runner.records[-1]
    assert kind == 'warning' and 'loss_bias=nan' in message
    assert 'dropped' in message
    monkeypatch.undo()
    iterate(runner, hook, batch())  # and training goes on
    assert not same(params(model, 'bias_head'), h_before)


def test_warn_applies_the_step_and_goes_on():
    model, _, runner, hook = setup('warn')
    iterate(runner, hook, batch(nan=True))
    assert runner.records[-1][0] == 'warning'
    assert not all(torch.isfinite(p).all() for p in params(model).values())


@pytest.mark.parametrize('policy', ['stop', 'skip', 'warn'])
def test_non_finite_weights_with_finite_losses(policy, monkeypatch):
    """A step can leave inf in a BatchNorm variance while every loss is
    finite (seen with lr=1000): 'stop' and 'skip' stop, naming the tensor
    ('skip' cannot undo it), 'warn' warns."""
    model, _, runner, hook = setup(policy)
    name = next(n for n, _ in model.named_buffers() if 'running_var' in n)
    real_train_step = model.train_step

    def overflowing_train_step(*args, **kwargs):
        outputs = real_train_step(*args, **kwargs)
        model.get_buffer(name).fill_(float('inf'))
        return outputs

    monkeypatch.setattr(model, 'train_step', overflowing_train_step)
    if policy == 'warn':
        iterate(runner, hook, batch())
        kind, message = runner.records[-1]
        assert kind == 'warning'
    else:
        with pytest.raises(NonFiniteLossError) as info:
            iterate(runner, hook, batch())
        message = str(info.value)
        assert 'Training stopped' in message and 'work/epoch_1.pth' in message
        if policy == 'skip':
            assert 'cannot undo' in message
        else:
            assert 'after a finite step' in message
            assert 'non-finite gradients were not applied' not in message
    assert name in message and 'non-finite weights or buffers' in message


@pytest.fixture
def fake_cuda(monkeypatch):
    monkeypatch.setattr(
        'mmengine.optim.optimizer.amp_optimizer_wrapper.is_cuda_available',
        lambda: True)


def amp_optim(model):
    from mmpretrain.registry import OPTIM_WRAPPER_CONSTRUCTORS
    amp = dict(
        type='AmpOptimWrapper',
        optimizer=dict(type='SGD', lr=worker.LR, momentum=worker.MOMENTUM))
    optim = OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(
            type='LNTLOptimWrapperConstructor',
            optim_wrapper_cfg=dict(main=amp, bias=copy.deepcopy(amp))))(
                model)
    scaler = torch.amp.GradScaler('cpu', init_scale=2.0**10)
    optim['main'].loss_scaler = optim['bias'].loss_scaler = scaler
    return optim


def overflow_f_gradients(model):
    """What a float16 overflow does: inf gradients (here f's first conv, in
    both phases) while the losses stay finite."""
    return model.backbone.f[0].weight.register_hook(
        lambda grad: torch.full_like(grad, float('inf')))


def test_amp_scaler_skips_do_not_trigger_but_nan_losses_do(fake_cuda):
    model, optim, runner, hook = setup('stop', amp_optim)
    handle = overflow_f_gradients(model)
    before = params(model)
    outputs = iterate(runner, hook, batch())
    assert all(torch.isfinite(v) for v in outputs.values())
    assert same(params(model), before)  # both steps skipped by the scaler
    assert optim['main'].loss_scaler.get_scale() == 2.0**8  # backed off x2
    assert runner.records == []  # ... and not reported by the hook
    handle.remove()
    with pytest.raises(NonFiniteLossError, match='AMP is on'):
        iterate(runner, hook, batch(nan=True))


def test_without_amp_the_same_gradient_overflow_stops_training():
    model, _, runner, hook = setup('stop')
    overflow_f_gradients(model)
    f_and_g = {k: v for k, v in params(model).items()
               if not k.startswith('bias_head')}
    with pytest.raises(NonFiniteLossError) as info:
        iterate(runner, hook, batch())
    assert 'non-finite gradients in the step(s) of main' in str(info.value)
    assert 'loss terms' not in str(info.value)  # the losses were finite
    assert same({k: v for k, v in params(model).items()
                 if not k.startswith('bias_head')}, f_and_g)


def test_lr_1000_through_train_py_stops_and_leaves_only_finite_files(
        tmp_path):
    work_dir = tmp_path / 'work'
    opts = sample_data_options()
    with pytest.raises(NonFiniteLossError) as info:
        load_tool('train').main([
            osp.join(REPO, 'configs', 'lnl_cmnist.py'),
            '--work-dir', str(work_dir), '--cfg-options', *opts,
            'train_dataloader.dataset.indices=64',
            'train_dataloader.batch_size=16',
            'val_dataloader.dataset.indices=32', 'train_cfg.max_epochs=4',
            'model.pretrain_epochs=0', 'default_hooks.checkpoint.interval=1',
            'optim_wrapper.main.optimizer.lr=1000',
            'experiment_name=nonfinite_lr1000'
        ])
    assert 'main.lr=1000' in str(info.value)
    saved = sorted(work_dir.glob('*.pth'))
    for path in saved:
        state = read_checkpoint(path)['state_dict']
        assert all(torch.isfinite(v).all() for v in state.values()
                   if v.is_floating_point()), path
    if saved:  # the pointer names a complete, finite checkpoint
        last = (work_dir / 'last_checkpoint').read_text()
        assert osp.isfile(last) and last in str(info.value)


def test_single_optim_wrapper_model_in_a_runner(tmp_path):
    """A plain model (BaseModel.train_step, one OptimWrapper, like the
    baseline's ImageClassifier) in a real Runner: NaN output in the 6th
    iteration stops training; the epoch-1 checkpoint and the pointer stay."""
    from mmengine.config import Config
    from mmengine.runner import Runner
    sys.path.insert(0, osp.join(REPO, 'tests', 'test_utils'))
    import lnl_fault_hooks  # noqa: F401  registers NaNOutputHook
    from lnl_toy_modules import toy_cfg_dict
    work_dir = tmp_path / 'toy'
    cfg = toy_cfg_dict(str(work_dir), max_epochs=3)
    cfg['default_hooks'].update(
        checkpoint=dict(type='SafeCheckpointHook', interval=1),
        non_finite=dict(type='NonFiniteLossHook'))
    cfg['custom_hooks'] = [
        dict(type='NaNOutputHook', module='head', iteration=5)
    ]
    cfg['experiment_name'] = f'nonfinite_toy_{id(cfg)}'
    with pytest.raises(NonFiniteLossError) as info:
        Runner.from_cfg(Config(cfg)).train()
    message = str(info.value)
    assert 'epoch 2, iteration 2/4' in message and 'loss=nan' in message
    assert 'step(s) of optimizer' in message and 'lr=0.01' in message
    assert sorted(p.name for p in work_dir.glob('*.pth')) == ['epoch_1.pth']
    assert (work_dir / 'last_checkpoint').read_text() == str(
        work_dir / 'epoch_1.pth')
