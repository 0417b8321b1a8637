"""step_optim_wrappers with two AmpOptimWrappers sharing one GradScaler.

MMEngine's AmpOptimWrapper asserts a GPU at construction; these tests
pretend one is present and give the wrappers a CPU ``torch.amp.GradScaler``,
which runs the same unscale/inf-check/update logic as the CUDA one.
"""
import copy
import math

import pytest
import torch
import torch.nn as nn
from mmengine.optim import AmpOptimWrapper, OptimWrapper, OptimWrapperDict
from mmpretrain.registry import OPTIM_WRAPPER_CONSTRUCTORS

import lntl_ddp_worker as worker
from lnl_mm.engine.optimizers import step_optim_wrappers

INIT_SCALE = 2.0**10


@pytest.fixture
def fake_cuda(monkeypatch):
    monkeypatch.setattr(
        'mmengine.optim.optimizer.amp_optimizer_wrapper.is_cuda_available',
        lambda: True)


def cpu_scaler(growth_interval=1):
    return torch.amp.GradScaler(
        'cpu',
        init_scale=INIT_SCALE,
        growth_factor=2.0,
        backoff_factor=0.5,
        growth_interval=growth_interval)


class TwoParams(nn.Module):
    """``main`` owns ``a``, ``bias`` owns ``b``; loss = a . x + b . y, so
    the true gradients are x and y."""

    def __init__(self):
        super().__init__()
        self.a = nn.Parameter(torch.tensor([1.0, -2.0]))
        self.b = nn.Parameter(torch.tensor([0.5, 3.0]))

    def loss(self, x, y):
        return (self.a * x).sum() + (self.b * y).sum()


def amp_pair(model, scaler, main_clip=None):
    main = AmpOptimWrapper(
        optimizer=torch.optim.SGD([model.a], lr=1.0), clip_grad=main_clip)
    bias = AmpOptimWrapper(optimizer=torch.optim.SGD([model.b], lr=1.0))
    main.loss_scaler = bias.loss_scaler = scaler
    return main, bias


def test_each_optimizer_unscaled_by_the_scale_of_the_loss(fake_cuda):
    model = TwoParams()
    main, bias = amp_pair(model, cpu_scaler())
    x, y = torch.tensor([0.25, -0.5]), torch.tensor([1.5, 0.75])
    bias.backward(model.loss(x, y))  # phase B: one scaled loss, both groups
    # The gradients hold the scaled values until the joint step.
    assert torch.equal(model.a.grad, x * INIT_SCALE)
    assert torch.equal(model.b.grad, y * INIT_SCALE)
    step_optim_wrappers([main, bias])
    # lr 1: each parameter moved by exactly its true (unscaled) gradient.
    assert torch.equal(model.a.detach(), torch.tensor([1.0, -2.0]) - x)
    assert torch.equal(model.b.detach(), torch.tensor([0.5, 3.0]) - y)
    # The scale was updated once (growth_interval=1: doubled once).
    assert main.loss_scaler.get_scale() == 2 * INIT_SCALE


def test_stepping_the_wrappers_separately_would_be_wrong(fake_cuda):
    """What the joint step prevents: the first step updates the shared
    scale, the second optimizer is unscaled with the new one."""
    model = TwoParams()
    main, bias = amp_pair(model, cpu_scaler())
    x, y = torch.tensor([0.25, -0.5]), torch.tensor([1.5, 0.75])
    bias.backward(model.loss(x, y))
    main.step()
    bias.step()
    assert torch.equal(model.a.detach(), torch.tensor([1.0, -2.0]) - x)
    assert not torch.equal(model.b.detach(), torch.tensor([0.5, 3.0]) - y)
    assert main.loss_scaler.get_scale() == 4 * INIT_SCALE


@pytest.mark.parametrize('overflow', ['main', 'bias', 'both', 'nan'])
def test_inf_or_nan_in_either_group_skips_both(fake_cuda, overflow):
    model = TwoParams()
    main, bias = amp_pair(model, cpu_scaler())
    x, y = torch.tensor([0.25, -0.5]), torch.tensor([1.5, 0.75])
    if overflow in ('main', 'both'):
        x = torch.tensor([math.inf, 1.0])
    if overflow in ('bias', 'both'):
        y = torch.tensor([1.0, -math.inf])
    if overflow == 'nan':
        y = torch.tensor([math.nan, 1.0])
    before = copy.deepcopy(model.state_dict())
    bias.backward(model.loss(x, y))
    step_optim_wrappers([main, bias])
    for name, value in before.items():
        assert torch.equal(model.state_dict()[name], value), name
    assert main.optimizer.state == {} and bias.optimizer.state == {}
    # Backed off once, for the one joint step.
    assert main.loss_scaler.get_scale() == INIT_SCALE / 2

    # The next clean step uses the backed-off scale consistently.
    main.optimizer.zero_grad()
    bias.optimizer.zero_grad()
    x, y = torch.tensor([0.25, -0.5]), torch.tensor([1.5, 0.75])
    bias.backward(model.loss(x, y))
    step_optim_wrappers([main, bias])
    assert torch.equal(model.a.detach(), before['a'] - x)
    assert torch.equal(model.b.detach(), before['b'] - y)
    assert main.loss_scaler.get_scale() == INIT_SCALE


def test_clipping_sees_unscaled_gradients(fake_cuda):
    model = TwoParams()
    main, bias = amp_pair(
        model, cpu_scaler(), main_clip=dict(max_norm=0.5, norm_type=2))
    x, y = torch.tensor([3.0, 4.0]), torch.tensor([1.5, 0.75])  # |x| = 5
    bias.backward(model.loss(x, y))
    step_optim_wrappers([main, bias])
    # Clipped to norm 0.5 (torch adds 1e-6 to the norm), not the scaled
    # gradient to 0.5 and then unscaled again.
    clipped = x * (0.5 / (5.0 + 1e-6))
    torch.testing.assert_close(model.a.detach(),
                               torch.tensor([1.0, -2.0]) - clipped)
    assert torch.equal(model.b.detach(), torch.tensor([0.5, 3.0]) - y)


def test_plain_wrappers_step_in_turn():
    model = TwoParams()
    main = OptimWrapper(torch.optim.SGD([model.a], lr=1.0))
    bias = OptimWrapper(torch.optim.SGD([model.b], lr=1.0))
    x, y = torch.tensor([0.25, -0.5]), torch.tensor([1.5, 0.75])
    bias.backward(model.loss(x, y))
    step_optim_wrappers([main, bias])
    assert torch.equal(model.a.detach(), torch.tensor([1.0, -2.0]) - x)
    assert torch.equal(model.b.detach(), torch.tensor([0.5, 3.0]) - y)


def test_disabled_scaler_steps_without_scaling(fake_cuda):
    model = TwoParams()
    scaler = torch.amp.GradScaler('cpu', enabled=False)
    main, bias = amp_pair(model, scaler)
    x, y = torch.tensor([0.25, -0.5]), torch.tensor([1.5, 0.75])
    bias.backward(model.loss(x, y))
    step_optim_wrappers([main, bias])
    assert torch.equal(model.a.detach(), torch.tensor([1.0, -2.0]) - x)
    assert torch.equal(model.b.detach(), torch.tensor([0.5, 3.0]) - y)


def test_unshared_scalers_or_mixed_wrappers_are_refused(fake_cuda):
    model = TwoParams()
    main, bias = amp_pair(model, cpu_scaler())
    bias.loss_scaler = cpu_scaler()
    with pytest.raises(RuntimeError, match='sharing one loss scaler'):
        step_optim_wrappers([main, bias])
    plain = OptimWrapper(torch.optim.SGD([model.b], lr=1.0))
    with pytest.raises(RuntimeError, match='sharing one loss scaler'):
        step_optim_wrappers([main, plain])


def _build_amp_optim(model):
    amp = dict(
        type='AmpOptimWrapper',
        loss_scale=dict(init_scale=INIT_SCALE, growth_interval=1),
        optimizer=dict(
            type='SGD',
            lr=worker.LR,
            momentum=worker.MOMENTUM,
            weight_decay=worker.WD))
    return OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(
            type='LNTLOptimWrapperConstructor',
            optim_wrapper_cfg=dict(main=amp, bias=copy.deepcopy(amp))))(
                model)


def test_constructor_shares_the_scaler(fake_cuda):
    optim = _build_amp_optim(worker.build_model())
    assert isinstance(optim, OptimWrapperDict)
    assert isinstance(optim['main'], AmpOptimWrapper)
    assert optim['main'].loss_scaler is optim['bias'].loss_scaler


def test_lntl_train_step_with_amp_on_cpu(fake_cuda):
    """Two LNTL iterations with bfloat16 autocast (MMEngine's CPU autocast)
    and one shared CPU scaler: two scale updates per iteration (phase A's
    step and the joint step of phase B), finite parameters that stay near
    the float32 run."""
    model = worker.build_model()
    reference = copy.deepcopy(model)
    optim = _build_amp_optim(model)
    scaler = cpu_scaler()
    optim['main'].loss_scaler = optim['bias'].loss_scaler = scaler
    ref_optim = worker.build_optim(reference)
    batch = worker.shard(worker.make_batches()[0], 0, 2)
    for _ in range(2):
        model.train_step(copy.deepcopy(batch), optim)
        reference.train_step(copy.deepcopy(batch), ref_optim)
    assert scaler.get_scale() == INIT_SCALE * 2**4
    ours, ref = model.state_dict(), reference.state_dict()
    for name, value in ref.items():
        assert torch.isfinite(ours[name]).all(), name
        if value.dtype.is_floating_point:
            torch.testing.assert_close(
                ours[name], value, atol=0.05, rtol=0.05, msg=name)
