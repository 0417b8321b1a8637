import math

import pytest
import torch
from mmengine.logging import MessageHub

from lnl_mm.models.necks import GradientReversal


@pytest.mark.parametrize('mu', [0.1, 0.5, 2.0])
def test_identity_forward_and_scaled_negated_gradient(mu):
    neck = GradientReversal(mu=mu)
    x = torch.randn(4, 32, 14, 14, requires_grad=True)
    (out, ) = neck((x, ))
    assert torch.equal(out, x)
    upstream = torch.randn_like(x)
    out.backward(upstream)
    torch.testing.assert_close(x.grad, -mu * upstream)


def test_takes_and_returns_tuples():
    a, b = torch.randn(2, 3, requires_grad=True), torch.randn(2, 5)
    outs = GradientReversal()((a, b))
    assert isinstance(outs, tuple) and len(outs) == 2


def test_dann_schedule_ramps_from_zero_to_mu():
    neck = GradientReversal(mu=0.1, schedule='dann', gamma=10)
    assert neck.current_mu(0.0) == 0.0
    expected = 0.1 * (2 / (1 + math.exp(-10 * 0.5)) - 1)
    assert neck.current_mu(0.5) == pytest.approx(expected)
    assert neck.current_mu(1.0) == pytest.approx(0.1, rel=1e-4)


def test_dann_schedule_reads_progress_from_the_message_hub():
    hub = MessageHub.get_instance('test_dann_progress')
    hub.update_info('iter', 25)
    hub.update_info('max_iters', 100)
    neck = GradientReversal(mu=0.2, schedule='dann', gamma=10)
    x = torch.ones(3, requires_grad=True)
    (out, ) = neck((x, ))
    out.sum().backward()
    coeff = 0.2 * (2 / (1 + math.exp(-10 * 0.25)) - 1)
    torch.testing.assert_close(x.grad, torch.full((3, ), -coeff))


def test_progress_can_count_from_a_later_epoch():
    from lnl_mm.models.necks.gradient_reversal import training_progress
    hub = MessageHub.get_instance('test_progress_begin_epoch')
    hub.update_info('max_epochs', 4)
    hub.update_info('max_iters', 40)
    hub.update_info('iter', 30)
    assert training_progress() == pytest.approx(0.75)
    assert training_progress(begin_epoch=2) == pytest.approx(0.5)
    assert training_progress(begin_epoch=3) == 0.0
    hub.update_info('iter', 10)
    assert training_progress(begin_epoch=2) == 0.0
    assert training_progress(begin_epoch=4) == 1.0  # nothing left to ramp


def test_explicit_progress_overrides_the_message_hub():
    neck = GradientReversal(mu=0.5, schedule='dann', gamma=10)
    x = torch.ones(2, requires_grad=True)
    (out, ) = neck((x, ), progress=0.0)
    out.sum().backward()
    torch.testing.assert_close(x.grad, torch.zeros(2))


def test_step_schedule_multiplies_mu_at_each_milestone():
    neck = GradientReversal(mu=1.0, schedule='step', milestones=[0.3, 0.6],
                            factor=0.5)
    assert neck.current_mu(0.0) == 1.0
    assert neck.current_mu(0.29) == 1.0
    assert neck.current_mu(0.3) == 0.5
    assert neck.current_mu(0.59) == 0.5
    assert neck.current_mu(0.6) == 0.25
    assert neck.current_mu(1.0) == 0.25


def test_step_schedule_scales_the_reversed_gradient():
    hub = MessageHub.get_instance('test_step_progress')
    hub.update_info('iter', 40)
    hub.update_info('max_iters', 100)
    neck = GradientReversal(mu=1.0, schedule='step', milestones=[0.3],
                            factor=0.3)
    x = torch.ones(3, requires_grad=True)
    (out, ) = neck((x, ))
    out.sum().backward()
    torch.testing.assert_close(x.grad, torch.full((3, ), -0.3))


@pytest.mark.parametrize('kwargs', [
    dict(schedule='step', factor=0.3),
    dict(schedule='step', milestones=[], factor=0.3),
    dict(schedule='step', milestones=0.3, factor=0.3),
    dict(schedule='step', milestones=[0.0], factor=0.3),
    dict(schedule='step', milestones=[1.0], factor=0.3),
    dict(schedule='step', milestones=[0.6, 0.3], factor=0.3),
    dict(schedule='step', milestones=[0.3]),
    dict(schedule='step', milestones=[0.3], factor=0),
    dict(milestones=[0.3], factor=0.3),
    dict(schedule='dann', factor=0.3),
])
def test_bad_step_arguments_are_named(kwargs):
    with pytest.raises(ValueError,
                       match=r'GradientReversal: .*(milestones|factor)'):
        GradientReversal(**kwargs)


@pytest.mark.parametrize('kwargs', [dict(mu=-1), dict(mu=float('nan')),
                                    dict(schedule='linear'), dict(gamma=0),
                                    dict(gamma=float('inf'))])
def test_bad_arguments_are_named(kwargs):
    with pytest.raises(ValueError, match='GradientReversal'):
        GradientReversal(**kwargs)
