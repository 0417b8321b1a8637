"""Components of the comparison methods: Gray's ToGrayscale, BlindEye's
StopGradient neck and the per-image BiasClassificationHead."""
import math
import os.path as osp

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmpretrain.registry import MODELS, TRANSFORMS
from mmpretrain.structures import DataSample

import lnl_mm  # noqa: F401
from lnl_mm.datasets.transforms import ToGrayscale
from lnl_mm.models.heads import BiasClassificationHead
from lnl_mm.models.necks import StopGradient

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


# ---------------------------------------------------------------- Gray
def test_to_grayscale_is_the_weighted_channel_sum_in_three_channels():
    img = np.zeros((2, 2, 3), np.uint8)
    img[0, 0] = (255, 0, 0)
    img[0, 1] = (0, 255, 0)
    img[1, 0] = (10, 20, 30)
    color_target = np.ones((3, 1, 1), np.uint8)
    out = TRANSFORMS.build(dict(type='ToGrayscale'))(
        dict(img=img.copy(), color_target=color_target))
    assert out['img'].shape == (2, 2, 3) and out['img'].dtype == np.uint8
    assert np.all(out['img'] == out['img'][..., :1])
    expected = np.rint(img.astype(float) @ [0.299, 0.587, 0.114])
    np.testing.assert_array_equal(out['img'][..., 0], expected)
    assert out['color_target'] is color_target  # untouched


def test_to_grayscale_custom_weights_channels_and_errors():
    img = np.full((1, 1, 3), 100, np.uint8)
    out = ToGrayscale(weights=(1, 1, 1), num_channels=1)(dict(img=img))
    assert out['img'].shape == (1, 1, 1) and out['img'][0, 0, 0] == 255
    with pytest.raises(ValueError, match='one weight per channel'):
        ToGrayscale()(dict(img=np.zeros((2, 2, 4), np.uint8)))
    with pytest.raises(ValueError, match='weights'):
        ToGrayscale(weights=(-1, 0, 0))
    with pytest.raises(KeyError, match='keys'):
        ToGrayscale(keys=('image', ))(dict(img=img))


def test_gray_config_converts_img_in_all_splits_of_the_baseline():
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'gray_cmnist.py'))
    assert cfg.model.type == 'ImageClassifier'
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        types = [t['type'] for t in cfg[loader].dataset.pipeline]
        assert types == ['ToGrayscale', 'PackInputs']


# ------------------------------------------------------------ BlindEye
def blindeye_model():
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'blindeye_cmnist.py'))
    return MODELS.build(cfg.model), cfg


def test_stop_gradient_is_identity_forward_and_blocks_gradients():
    x = torch.randn(2, 3, requires_grad=True)
    (out, ) = StopGradient()((x, ))
    assert torch.equal(out, x) and not out.requires_grad
    assert StopGradient().current_mu() == 0.0


def batch(num=4, seed=0):
    gen = torch.Generator().manual_seed(seed)
    inputs = torch.randint(0, 256, (num, 3, 28, 28), generator=gen).float()
    samples = []
    for i in range(num):
        s = DataSample().set_gt_label(i % 10)
        s.set_field(torch.randint(0, 8, (3, 14, 14), generator=gen),
                    'color_target')
        s.set_field(torch.tensor((i + 1) % 10), 'bias_label')
        samples.append(s)
    return inputs, samples


def test_blindeye_bias_loss_sends_no_gradient_into_f():
    model, cfg = blindeye_model()
    assert cfg.model.uncertainty_loss == 'uniform_ce'
    model.train()
    inputs, samples = batch()
    losses = model(inputs, samples, mode='phase_b')
    losses['loss_bias'].backward()
    assert all(p.grad is None for p in model.backbone.parameters())
    assert any(p.grad is not None and p.grad.abs().sum() > 0
               for p in model.bias_head.parameters())


def test_blindeye_phase_a_is_ce_plus_lambda_times_confusion_loss():
    model, cfg = blindeye_model()
    assert cfg.model.entropy_weight == 10.0  # chosen on val
    model.train()
    inputs, samples = batch()
    losses = model(inputs, samples, mode='phase_a')
    f_map, _ = model.backbone(inputs)
    confusion = -F.log_softmax(model.bias_head((f_map, )), dim=2).mean()
    torch.testing.assert_close(losses['loss_entropy'], 10.0 * confusion)


# ------------------------------------------------ per-image bias target
def test_bias_classification_head_loss_uncertainty_and_predict():
    torch.manual_seed(0)
    head = BiasClassificationHead(in_channels=4, num_classes=10)
    feats = (torch.randn(3, 4, 5, 5), )
    samples = [DataSample() for _ in range(3)]
    for s, label in zip(samples, (1, 2, 3)):
        s.set_field(torch.tensor(label), 'bias_label')
    logits = head(feats)
    assert logits.shape == (3, 10)
    torch.testing.assert_close(
        logits, head.fc(feats[0].mean(dim=(2, 3))))
    torch.testing.assert_close(
        head.loss(feats, samples)['loss_bias'],
        F.cross_entropy(logits, torch.tensor([1, 2, 3])))
    torch.nn.init.zeros_(head.fc.weight)
    torch.nn.init.zeros_(head.fc.bias)
    assert head.uncertainty(feats, 'neg_entropy').item() == pytest.approx(
        -math.log(10), abs=1e-6)
    assert head.uncertainty(feats, 'uniform_ce').item() == pytest.approx(
        math.log(10), abs=1e-6)
    head.fc.bias.data[2] = 1.0  # always predicts class 2
    head.predict(feats, samples)
    assert [s.bias_pred_correct for s in samples] == [0, 1, 0]
    assert [s.bias_pred_count for s in samples] == [1, 1, 1]


def test_bias_classification_head_names_a_missing_target():
    head = BiasClassificationHead(in_channels=4)
    with pytest.raises(KeyError, match='bias_label'):
        head.loss((torch.randn(1, 4, 3, 3), ), [DataSample()])


def test_bias_classification_head_norm_takes_the_scale_away():
    """With norm_cfg, h's logits do not change when f scales its map up
    (what f does behind a reversal to overflow a plain Linear h); without
    it they scale with f."""
    torch.manual_seed(0)
    feats = (torch.randn(8, 4, 5, 5), )
    big = (feats[0] * 1000.0, )
    plain = BiasClassificationHead(in_channels=4, num_classes=10)
    assert isinstance(plain.norm, torch.nn.Identity)
    torch.nn.init.zeros_(plain.fc.bias)
    torch.testing.assert_close(plain(big), plain(feats) * 1000.0)
    for norm_cfg in (dict(type='BN1d'), dict(type='LN')):
        head = BiasClassificationHead(in_channels=4, num_classes=10,
                                      norm_cfg=norm_cfg)
        torch.testing.assert_close(head(big), head(feats), rtol=1e-3,
                                   atol=1e-3)
        normed = head.pooled(feats)
        if norm_cfg['type'] == 'BN1d':  # zero mean per channel over batch
            torch.testing.assert_close(normed.mean(dim=0), torch.zeros(4),
                                       atol=1e-5, rtol=0)
        else:  # zero mean per sample over channels
            torch.testing.assert_close(normed.mean(dim=1), torch.zeros(8),
                                       atol=1e-5, rtol=0)


def test_image_bias_config_trains_one_alternating_step():
    from mmengine.optim import build_optim_wrapper
    from mmengine.registry import init_default_scope
    init_default_scope('mmpretrain')
    cfg = Config.fromfile(
        osp.join(REPO, 'configs', 'lnl_cmnist_image_bias.py'))
    model = MODELS.build(cfg.model)
    model.init_weights()
    assert isinstance(model.bias_head, BiasClassificationHead)
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    inputs, samples = batch(num=4)
    log_vars = model.train_step(
        dict(inputs=list(inputs.byte()), data_samples=samples), optim)
    assert {'loss_cls', 'loss_bias', 'loss_entropy'} <= set(log_vars)
    model.eval()
    with torch.no_grad():
        out = model(inputs, samples, mode='predict')
    assert all(s.bias_pred_count == 1 for s in out)
