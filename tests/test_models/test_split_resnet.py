"""SplitResNet: an MMPretrain ResNet as LNTL's f and g, under
LNTLClassifier (phases A and B) and ImageClassifier (the baseline)."""
import copy

import pytest
import torch
import torch.nn.functional as F
from mmpretrain.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS
from mmpretrain.structures import DataSample

import lnl_mm  # noqa: F401
from lnl_mm.models.backbones import SplitResNet

LR, MOMENTUM, WD, LAMBDA, MU = 0.05, 0.9, 5e-4, 0.1, 0.5
#: A narrow ResNet-18 (8 stem / base channels), cheap on CPU.
TINY = dict(type='ResNet', depth=18, stem_channels=8, base_channels=8)


def tiny(**kwargs):
    torch.manual_seed(0)
    model = SplitResNet(resnet=dict(TINY), **kwargs)
    model.init_weights()
    return model


@pytest.mark.parametrize('resnet_type, f_stages, f_shape', [
    ('ResNet', 0, (8, 8, 8)),
    ('ResNet', 2, (16, 4, 4)),
    ('ResNet', 4, (64, 1, 1)),
    ('ResNet_CIFAR', 1, (8, 32, 32)),
])
def test_f_and_g_are_the_resnet_cut_after_f_stages(resnet_type, f_stages,
                                                   f_shape):
    torch.manual_seed(0)
    cfg = dict(TINY, type=resnet_type)
    if resnet_type == 'ResNet_CIFAR':
        cfg.pop('stem_channels')  # its 3x3 stem has base_channels
    model = SplitResNet(resnet=cfg, f_stages=f_stages).eval()
    x = torch.randn(2, 3, 32, 32)
    f_map, g_feat = model(x)
    assert f_map.shape == (2, ) + f_shape
    assert model.f_channels == f_shape[0] and model.g_channels == 64
    # The same weights in mmpretrain's own ResNet, read at the cut and at
    # the end, give the same tensors.
    full = MODELS.build(dict(cfg, out_indices=tuple(range(4))))
    full.eval()
    full.load_state_dict({
        k[len('resnet.'):]: v
        for k, v in model.state_dict().items()
    })
    outs = full(x)
    if f_stages:
        torch.testing.assert_close(f_map, outs[f_stages - 1])
    torch.testing.assert_close(g_feat, outs[-1].mean((2, 3)))
    torch.testing.assert_close(model.extract_bias_feat(x), f_map)


def test_out_indices_select_outputs_and_bad_arguments_are_refused():
    x = torch.randn(2, 3, 16, 16)
    (g_feat, ) = tiny(out_indices=(1, ))(x)
    assert g_feat.shape == (2, 64)
    with pytest.raises(ValueError, match=r'f_stages=5 must be an integer in '
                       r'\[0, 4\]'):
        tiny(f_stages=5)
    with pytest.raises(ValueError, match='out_indices'):
        tiny(out_indices=(2, ))
    with pytest.raises(TypeError, match='cannot split'):
        SplitResNet(resnet=dict(type='MobileNetV2'))


def lntl_model(f_stages=2, bias_in_channels=16):
    torch.manual_seed(0)
    model = MODELS.build(
        dict(
            type='LNTLClassifier',
            backbone=dict(
                type='SplitResNet', resnet=dict(TINY), f_stages=f_stages),
            head=dict(type='LinearClsHead', num_classes=3, in_channels=64),
            bias_head=dict(
                type='BiasClassificationHead',
                in_channels=bias_in_channels,
                num_classes=2),
            bias_neck=dict(type='GradientReversal', mu=MU),
            entropy_weight=LAMBDA,
            data_preprocessor=dict(
                type='mmpretrain.LNTLDataPreprocessor',
                channels_last=True,
                mean=[123.7, 116.3, 103.5],
                std=[58.4, 57.1, 57.4],
                to_rgb=True)))
    model.init_weights()
    return model


def make_batch(n=6, seed=1):
    gen = torch.Generator().manual_seed(seed)
    imgs = torch.randint(0, 256, (n, 3, 24, 20), generator=gen,
                         dtype=torch.uint8)
    labels = torch.randint(0, 3, (n, ), generator=gen)
    biases = torch.randint(0, 2, (n, ), generator=gen)
    samples = []
    for label, bias in zip(labels, biases):
        s = DataSample().set_gt_label(int(label))
        s.set_field(int(bias), 'bias_label')
        samples.append(s)
    return dict(inputs=list(imgs), data_samples=samples), labels, biases


def build_optim(model):
    sgd = dict(
        type='OptimWrapper',
        optimizer=dict(type='SGD', lr=LR, momentum=MOMENTUM, weight_decay=WD))
    return OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(
            type='LNTLOptimWrapperConstructor',
            optim_wrapper_cfg=dict(main=sgd, bias=sgd)))(model)


def hand_written_iteration(model, x, labels, biases, opt_main, opt_bias):
    """Phases A and B in plain PyTorch on the wrapped ResNet's layers."""
    net, head, h = model.backbone.resnet, model.head, model.bias_head

    def f(inp):
        out = net.maxpool(net.relu(net.norm1(net.conv1(inp))))
        return net.layer2(net.layer1(out))

    def g(fmap):
        return net.layer4(net.layer3(fmap)).mean((2, 3))

    opt_main.zero_grad()
    opt_bias.zero_grad()
    fmap = f(x)
    ce = F.cross_entropy(head.fc(g(fmap)), labels)
    p = F.softmax(h.fc(fmap.mean((2, 3))), dim=1)
    ((ce + LAMBDA * (p * p.log()).sum(1).mean())).backward()
    opt_main.step()

    opt_main.zero_grad()
    opt_bias.zero_grad()
    fmap = f(x)
    fmap.register_hook(lambda grad: -MU * grad)
    F.cross_entropy(h.fc(fmap.mean((2, 3))), biases).backward()
    opt_main.step()
    opt_bias.step()


def test_lntl_train_step_with_split_resnet_matches_hand_written_phases():
    model = lntl_model()
    reference = copy.deepcopy(model)
    data, labels, biases = make_batch()
    optim = build_optim(model)
    for _ in range(2):
        log_vars = model.train_step(copy.deepcopy(data), optim)
    assert {'loss_cls', 'loss_entropy', 'loss_bias'} <= set(log_vars)

    x = reference.data_preprocessor(copy.deepcopy(data), True)['inputs']
    main = [p for n, p in reference.named_parameters()
            if not n.startswith('bias_head')]
    sgd = dict(lr=LR, momentum=MOMENTUM, weight_decay=WD)
    opt_main = torch.optim.SGD(main, **sgd)
    opt_bias = torch.optim.SGD(reference.bias_head.parameters(), **sgd)
    for _ in range(2):
        hand_written_iteration(reference, x, labels, biases, opt_main,
                               opt_bias)
    ours = model.state_dict()
    for name, value in reference.state_dict().items():
        torch.testing.assert_close(ours[name], value, atol=1e-5, rtol=0,
                                   msg=name)
    # ... and the run moved f, g and h
    assert not torch.equal(ours['bias_head.fc.weight'],
                           lntl_model().state_dict()['bias_head.fc.weight'])


def test_phase_b_leaves_g_alone_and_phase_a_leaves_h_alone(monkeypatch):
    model = lntl_model()
    optim = build_optim(model)
    net = model.backbone.resnet
    groups = dict(
        f=torch.nn.ModuleList([net.conv1, net.norm1, net.layer1,
                               net.layer2]),
        g=torch.nn.ModuleList([net.layer3, net.layer4, model.head]),
        h=model.bias_head)

    def snapshot():
        return {k: [p.detach().clone() for p in m.parameters()]
                for k, m in groups.items()}

    def moved(a, b):
        return {k for k in a
                if any(not torch.equal(x, y) for x, y in zip(a[k], b[k]))}

    between = {}
    original = model.loss_phase_b

    def record(*args, **kwargs):
        between.update(snapshot())
        return original(*args, **kwargs)

    monkeypatch.setattr(model, 'loss_phase_b', record)
    before = snapshot()
    model.train_step(make_batch()[0], optim)
    assert moved(before, between) == {'f', 'g'}
    assert moved(between, snapshot()) == {'f', 'h'}


def test_mismatched_head_channels_name_the_config_value():
    with pytest.raises(ValueError,
                       match=r'model.bias_head.in_channels=32'):
        lntl_model(f_stages=3, bias_in_channels=16)
    assert lntl_model(f_stages=3, bias_in_channels=32)


def test_the_baseline_image_classifier_uses_the_pooled_g_feature():
    torch.manual_seed(0)
    model = MODELS.build(
        dict(
            type='ImageClassifier',
            backbone=dict(
                type='SplitResNet', resnet=dict(TINY), out_indices=(1, )),
            head=dict(type='LinearClsHead', num_classes=3, in_channels=64)))
    data, _, _ = make_batch()
    data = model.data_preprocessor(data, True)
    losses = model(data['inputs'].float(), data['data_samples'], mode='loss')
    assert losses['loss'].ndim == 0 and losses['loss'] > 0
    # its weights load into the LNTL model under the same names (h aside)
    lntl = lntl_model()
    missing, unexpected = lntl.load_state_dict(model.state_dict(),
                                               strict=False)
    assert not unexpected
    assert all(k.startswith('bias_head.') for k in missing)


def test_mmpretrain_resnet_weights_load_through_the_resnet_init_cfg(
        tmp_path):
    """docs/custom_data.md's recipe for ImageNet weights: an mmpretrain
    classifier checkpoint (keys backbone.*) loads into SplitResNet's ResNet
    with init_cfg=dict(type='Pretrained', prefix='backbone.')."""
    torch.manual_seed(0)
    source = MODELS.build(
        dict(type='ImageClassifier', backbone=dict(TINY),
             neck=dict(type='GlobalAveragePooling'),
             head=dict(type='LinearClsHead', num_classes=5, in_channels=64)))
    with torch.no_grad():
        for param in source.parameters():
            param.add_(torch.randn_like(param))  # unlike any initialisation
    checkpoint = str(tmp_path / 'resnet.pth')
    torch.save({'state_dict': source.state_dict()}, checkpoint)
    model = SplitResNet(resnet=dict(
        TINY, init_cfg=dict(type='Pretrained', checkpoint=checkpoint,
                            prefix='backbone.')))
    model.init_weights()
    weights = source.state_dict()
    for name, value in model.state_dict().items():
        assert torch.equal(value, weights['backbone.' + name[len('resnet.'):]]
                           ), name
