"""The alternating update of LNTLClassifier against hand-written PyTorch."""
import copy
import math
import re

import pytest
import torch
import torch.nn.functional as F
from mmengine.logging import MessageHub
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmpretrain.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS
from mmpretrain.structures import DataSample

import lnl_mm  # noqa: F401

LR, MOMENTUM, WD, LAMBDA, MU = 0.05, 0.9, 5e-4, 0.01, 0.1


def build_model(entropy_weight=LAMBDA, mu=MU, **kwargs):
    torch.manual_seed(0)
    model = MODELS.build(
        dict(
            type='LNTLClassifier',
            backbone=dict(type='LNTLConvNet'),
            head=dict(type='LinearClsHead', num_classes=10, in_channels=64),
            bias_head=dict(type='BiasPredictionHead'),
            entropy_weight=entropy_weight,
            **{'bias_neck': dict(type='GradientReversal', mu=mu), **kwargs},
            data_preprocessor=dict(
                mean=[125.3, 122.9, 113.9], std=[51.6, 50.8, 51.3])))
    model.init_weights()
    return model


def make_batch(n=8, seed=1):
    g = torch.Generator().manual_seed(seed)
    imgs = torch.randint(0, 256, (n, 3, 28, 28), generator=g,
                         dtype=torch.uint8)
    labels = torch.randint(0, 10, (n, ), generator=g)
    targets = (imgs[:, :, 1::2, 1::2] // 32).long()
    targets[imgs[:, :, 1::2, 1::2] == 0] = 255
    samples = []
    for label, target in zip(labels, targets):
        s = DataSample().set_gt_label(int(label))
        s.set_field(target.numpy().astype('uint8'), 'color_target')
        samples.append(s)
    return dict(inputs=list(imgs), data_samples=samples), labels, targets


def build_optim(model):
    cfg = dict(
        main=dict(
            type='OptimWrapper',
            optimizer=dict(
                type='SGD', lr=LR, momentum=MOMENTUM, weight_decay=WD)),
        bias=dict(
            type='OptimWrapper',
            optimizer=dict(
                type='SGD', lr=LR, momentum=MOMENTUM, weight_decay=WD)))
    return OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(type='LNTLOptimWrapperConstructor', optim_wrapper_cfg=cfg))(
            model)


def hand_written_iteration(model, x, labels, targets, opt_main, opt_bias,
                           bias_steps=1, warmup_h_steps=None,
                           set_to_none=True):
    """Phases A and B written directly in PyTorch, as in the paper; with
    ``bias_steps`` > 1, h first steps alone on detached features (of one
    forward of the updated f, which these steps do not move). A warm-up
    iteration (``warmup_h_steps`` given) is plain cross-entropy for f and g
    and ``warmup_h_steps`` steps of h alone, without the reversal step.
    ``set_to_none=False`` zeroes gradients as PyTorch < 2 did, which the
    authors' code ran on."""
    bb, head, h = model.backbone, model.head, model.bias_head
    warmup = warmup_h_steps is not None

    def f(inp):
        return bb.f(bb.input_norm(inp))

    def h_logits(fmap):
        return torch.stack([branch(fmap) for branch in h.branches], 1)

    def bias_ce(logits):
        return sum(
            F.cross_entropy(logits[:, c], targets[:, c], ignore_index=255)
            for c in range(3))

    # Phase A
    opt_main.zero_grad(set_to_none=set_to_none)
    opt_bias.zero_grad(set_to_none=set_to_none)
    fmap = f(x)
    ce = F.cross_entropy(head.fc(bb.g(fmap)), labels)
    if warmup:
        ce.backward()
    else:
        p = F.softmax(h_logits(fmap), dim=2)
        neg_entropy = (p * torch.log(p)).sum(2).mean()
        (ce + LAMBDA * neg_entropy).backward()
    opt_main.step()
    # Phase B
    h_alone = warmup_h_steps if warmup else bias_steps - 1
    if h_alone:
        with torch.no_grad():
            fixed = f(x)
    for _ in range(h_alone):
        opt_main.zero_grad(set_to_none=set_to_none)
        opt_bias.zero_grad(set_to_none=set_to_none)
        bias_ce(h_logits(fixed)).backward()
        opt_bias.step()
    if warmup:
        return
    opt_main.zero_grad(set_to_none=set_to_none)
    opt_bias.zero_grad(set_to_none=set_to_none)
    fmap = f(x)
    fmap.register_hook(lambda grad: -MU * grad)
    bias_ce(h_logits(fmap)).backward()
    opt_main.step()
    opt_bias.step()


def hand_written_optimizers(model):
    """The SGD optimizers of the configs, for f+g and for h."""
    main_params = [
        p for n, p in model.named_parameters()
        if not n.startswith('bias_head')
    ]
    opt_main = torch.optim.SGD(
        main_params, lr=LR, momentum=MOMENTUM, weight_decay=WD)
    opt_bias = torch.optim.SGD(
        model.bias_head.parameters(),
        lr=LR,
        momentum=MOMENTUM,
        weight_decay=WD)
    return opt_main, opt_bias


def assert_same_state(model, reference):
    ours = dict(model.state_dict())
    for name, value in reference.state_dict().items():
        if value.dtype.is_floating_point:
            torch.testing.assert_close(
                ours[name], value, atol=1e-6, rtol=0, msg=name)
        else:
            assert torch.equal(ours[name], value), name


@pytest.mark.parametrize('bias_steps', [1, 3])
def test_train_step_matches_hand_written_phases(bias_steps):
    model = build_model(bias_steps=bias_steps)
    reference = copy.deepcopy(model)
    data, labels, targets = make_batch()

    optim = build_optim(model)
    for _ in range(2):  # two iterations so momentum buffers matter too
        log_vars = model.train_step(copy.deepcopy(data), optim)

    x = reference.data_preprocessor(copy.deepcopy(data), True)['inputs']
    opt_main, opt_bias = hand_written_optimizers(reference)
    for _ in range(2):
        hand_written_iteration(reference, x, labels, targets, opt_main,
                               opt_bias, bias_steps)

    assert_same_state(model, reference)
    assert {'loss', 'loss_cls', 'loss_entropy', 'loss_bias', 'lambda',
            'mu'} <= set(log_vars)
    assert log_vars['lambda'].item() == pytest.approx(LAMBDA)
    assert log_vars['mu'].item() == pytest.approx(MU)


@pytest.mark.parametrize('bias_steps', [1, 3])
def test_step_g_in_phase_b_matches_zero_grad_that_keeps_zeros(bias_steps):
    """step_g_in_phase_b=True trains as the authors' code did on PyTorch
    < 2, where zero_grad() left zero gradients and phase B's step of f+g
    therefore also moved g (momentum and weight decay); the default does
    not, so the two runs differ."""
    model = build_model(bias_steps=bias_steps, step_g_in_phase_b=True)
    default = build_model(bias_steps=bias_steps)
    reference = copy.deepcopy(model)
    data, labels, targets = make_batch()
    for trained in (model, default):
        optim = build_optim(trained)
        for _ in range(2):
            trained.train_step(copy.deepcopy(data), optim)

    x = reference.data_preprocessor(copy.deepcopy(data), True)['inputs']
    opt_main, opt_bias = hand_written_optimizers(reference)
    for _ in range(2):
        hand_written_iteration(reference, x, labels, targets, opt_main,
                               opt_bias, bias_steps, set_to_none=False)

    assert_same_state(model, reference)
    assert not torch.equal(model.head.fc.weight, default.head.fc.weight)


@pytest.mark.parametrize('value', [1, 'yes', None])
def test_step_g_in_phase_b_must_be_a_bool(value):
    with pytest.raises(TypeError, match='step_g_in_phase_b must be True or '
                       'False'):
        build_model(step_g_in_phase_b=value)


def test_sharing_f_between_h_steps_and_reversal_leaves_weights_identical(
        monkeypatch):
    """In one process, h's own steps and the reversal step read one
    forward of f; through a wrapper (as under DDP) each runs its own. The
    trained model, BatchNorm running statistics included, is bit-identical
    either way."""
    from lnl_mm.models.backbones.lntl_convnet import LNTLConvNet
    forwards = dict(n=0)
    real_extract = LNTLConvNet.extract_bias_feat

    def count_extract(self, x):
        forwards['n'] += 1
        return real_extract(self, x)

    monkeypatch.setattr(LNTLConvNet, 'extract_bias_feat', count_extract)
    shared = build_model(bias_steps=3)
    wrapped = copy.deepcopy(shared)
    data, _, _ = make_batch()
    counts = {}
    for name, model, forward in (
            ('shared', shared, shared),
            ('wrapped', wrapped, lambda *a, **k: wrapped(*a, **k))):
        optim = build_optim(model)
        forwards['n'] = 0
        for _ in range(2):
            model.alternating_train_step(copy.deepcopy(data), optim, forward)
        counts[name] = forwards['n']
    # per iteration: phase A, then one forward for h's 2 steps and the
    # reversal step, or one for h's steps and one for the reversal step
    assert counts == dict(shared=4, wrapped=6)
    wrapped_state = wrapped.state_dict()
    for name, value in shared.state_dict().items():
        assert torch.equal(value, wrapped_state[name]), name
    assert shared.backbone.input_norm.num_batches_tracked == 6


def snapshot(module):
    return {n: p.detach().clone() for n, p in module.named_parameters()}


def changed(before, module):
    return {
        n
        for n, p in module.named_parameters()
        if not torch.equal(before[n], p.detach())
    }


def test_phase_a_does_not_move_h_and_phase_b_does_not_move_g(monkeypatch):
    model = build_model()
    optim = build_optim(model)
    data, _, _ = make_batch()
    g_modules = torch.nn.ModuleDict(dict(g=model.backbone.g, fc=model.head))
    f_modules = torch.nn.ModuleDict(
        dict(norm=model.backbone.input_norm, f=model.backbone.f))

    # Record the parameters between phase A and phase B.
    between = {}
    original = model.loss_phase_b

    def record_then_run(*args, **kwargs):
        between['h'] = snapshot(model.bias_head)
        between['g'] = snapshot(g_modules)
        between['f'] = snapshot(f_modules)
        return original(*args, **kwargs)

    before_h, before_g, before_f = (snapshot(model.bias_head),
                                    snapshot(g_modules), snapshot(f_modules))
    monkeypatch.setattr(model, 'loss_phase_b', record_then_run)
    model.train_step(data, optim)

    # Phase A moved f and g but not h.
    assert changed(before_h, model.bias_head) - changed(
        between['h'], model.bias_head) == set()
    assert not any(
        not torch.equal(before_h[n], between['h'][n]) for n in before_h)
    assert any(
        not torch.equal(before_g[n], between['g'][n]) for n in before_g)
    assert any(
        not torch.equal(before_f[n], between['f'][n]) for n in before_f)
    # Phase B moved h and f but not g.
    assert changed(between['g'], g_modules) == set()
    assert changed(between['h'], model.bias_head)
    assert changed(between['f'], f_modules)


def test_train_step_refuses_a_single_optimizer():
    model = build_model()
    data, _, _ = make_batch()
    single = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    with pytest.raises(TypeError, match='LNTLOptimWrapperConstructor'):
        model.train_step(data, single)


def test_loss_mode_in_training_is_refused():
    """A wrapper that bypasses train_step (plain MMDistributedDataParallel
    calls mode='loss') must not silently train without the alternation."""
    model = build_model()
    data, _, _ = make_batch()
    data = model.data_preprocessor(data, True)
    with pytest.raises(RuntimeError, match='LNTLDistributedDataParallel'):
        model(**data, mode='loss')
    model.eval()
    assert 'loss_bias' in model(**data, mode='loss')


def test_optim_wrapper_constructor_splits_parameters():
    model = build_model()
    optim = build_optim(model)
    assert isinstance(optim, OptimWrapperDict)
    main_ids = {id(p) for g in optim['main'].param_groups for p in g['params']}
    bias_ids = {id(p) for g in optim['bias'].param_groups for p in g['params']}
    assert bias_ids == {id(p) for p in model.bias_head.parameters()}
    assert main_ids | bias_ids == {id(p) for p in model.parameters()}
    assert not main_ids & bias_ids


def test_predict_reports_labels_and_bias_head_counts():
    model = build_model().eval()
    data, _, targets = make_batch()
    data = model.data_preprocessor(data, False)
    samples = model(**data, mode='predict')
    assert len(samples) == 8
    for sample, target in zip(samples, targets):
        assert sample.pred_label.shape == (1, )
        assert sample.bias_pred_count == int((target != 255).sum())
        assert 0 <= sample.bias_pred_correct <= sample.bias_pred_count


def test_phase_a_gives_f_its_gradient_but_h_none():
    """Phase A leaves h's parameters out of the graph (they are not stepped
    there), while f and g get exactly the gradient of the attached loss."""
    from lnl_mm.models.classifiers.lntl_classifier import detached_parameters
    model = build_model(entropy_weight=0.5)
    model.train()
    data, _, _ = make_batch()
    data = model.data_preprocessor(data, True)
    reference = copy.deepcopy(model)

    losses = model.loss_phase_a(data['inputs'], data['data_samples'])
    sum(v for k, v in losses.items() if k.startswith('loss')).backward()
    # the same loss with h attached: f's gradients must not change
    f_map, g_feat = reference.backbone(data['inputs'])
    loss = reference.head.loss((g_feat, ), data['data_samples'])['loss'] + \
        0.5 * reference.bias_head.uncertainty((f_map, ))
    loss.backward()

    assert all(p.grad is None for p in model.bias_head.parameters())
    assert any(p.grad is not None and p.grad.abs().sum() > 0
               for p in reference.bias_head.parameters())
    for (name, p), q in zip(model.backbone.named_parameters(),
                            reference.backbone.parameters()):
        torch.testing.assert_close(p.grad, q.grad, msg=name)
    # the parameters are restored as Parameters after the block
    names = [n for n, _ in model.bias_head.named_parameters()]
    with detached_parameters(model.bias_head):
        assert list(model.bias_head.named_parameters()) == []
    assert [n for n, _ in model.bias_head.named_parameters()] == names
    torch.testing.assert_close(model.bias_head.state_dict(),
                               reference.bias_head.state_dict())


@pytest.mark.parametrize('warmup_bias_steps', [0, 2])
def test_warm_up_trains_h_only_as_configured(warmup_bias_steps):
    """A warm-up iteration: f and g take a plain cross-entropy step and h
    takes ``warmup_bias_steps`` steps alone; with none, h is untouched
    (BatchNorm statistics too), its loss is not logged and its metric is
    left out of predictions."""
    model = build_model(bias_steps=3, pretrain_epochs=1,
                        warmup_bias_steps=warmup_bias_steps)
    reference = copy.deepcopy(model)
    hub = MessageHub.get_instance(f'warm_up_h_steps_{warmup_bias_steps}')
    hub.update_info('epoch', 0)
    assert model.in_warmup()
    data, labels, targets = make_batch()
    h_before = copy.deepcopy(model.bias_head.state_dict())

    optim = build_optim(model)
    for _ in range(2):
        log_vars = model.train_step(copy.deepcopy(data), optim)

    x = reference.data_preprocessor(copy.deepcopy(data), True)['inputs']
    opt_main, opt_bias = hand_written_optimizers(reference)
    for _ in range(2):
        hand_written_iteration(reference, x, labels, targets, opt_main,
                               opt_bias, warmup_h_steps=warmup_bias_steps)
    assert_same_state(model, reference)

    h_moved = any(not torch.equal(v, h_before[k])
                  for k, v in model.bias_head.state_dict().items())
    assert h_moved == bool(warmup_bias_steps)
    assert ('loss_bias' in log_vars) == bool(warmup_bias_steps)
    samples = model.eval()(
        **model.data_preprocessor(copy.deepcopy(data), False),
        mode='predict')
    assert all(('bias_pred_count' in s) == bool(warmup_bias_steps)
               for s in samples)


@pytest.mark.parametrize('warmup_bias_steps', [-1, 1.5, True])
def test_bad_warmup_bias_steps_is_named(warmup_bias_steps):
    with pytest.raises(ValueError, match='warmup_bias_steps'):
        build_model(warmup_bias_steps=warmup_bias_steps)


@pytest.mark.parametrize('bias_steps', [0, 1.5, '2', True])
def test_bad_bias_steps_is_named(bias_steps):
    with pytest.raises(ValueError, match='bias_steps'):
        build_model(bias_steps=bias_steps)


@pytest.mark.parametrize('value', [-0.1, float('nan'), float('inf'), None])
def test_a_non_finite_or_negative_lambda_is_refused(value):
    with pytest.raises(ValueError, match=r'^LNTLClassifier: entropy_weight='
                       + re.escape(repr(value)) + ' must be a finite number '
                       '>= 0'):
        build_model(entropy_weight=value)


def test_mu_schedule_counts_from_the_end_of_the_warm_up():
    """A 'dann' ramp starts at the first unlearning iteration (mu 0 there,
    half-way through the unlearning epochs the DANN value at p = 0.5), not
    at the first warm-up iteration, where the reversal is off anyway."""
    model = build_model(
        bias_neck=dict(type='GradientReversal', mu=1.0, schedule='dann'),
        pretrain_epochs=10)
    data, _, _ = make_batch()
    data = model.data_preprocessor(data, True)
    hub = MessageHub.get_instance('test_mu_from_warm_up_end')
    hub.update_info('max_epochs', 20)
    hub.update_info('max_iters', 200)
    expected = {100: 0.0, 150: 2 / (1 + math.exp(-5)) - 1, 200: None}
    for it, mu in expected.items():
        hub.update_info('iter', it)
        hub.update_info('epoch', it // 10)
        assert model.unlearning_progress() == pytest.approx((it - 100) / 100)
        logged = model.loss_phase_b(data['inputs'],
                                    data['data_samples'])['mu'].item()
        assert logged == pytest.approx(
            mu if mu is not None else 2 / (1 + math.exp(-10)) - 1, abs=1e-6)
    hub.update_info('iter', 50)
    hub.update_info('epoch', 5)
    assert model.unlearning_progress() == 0.0
    assert model.loss_phase_b(data['inputs'],
                              data['data_samples'])['mu'].item() == 0.0
