import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmpretrain.structures import DataSample

from lnl_mm.models.heads import BiasPredictionHead


def samples_with(targets):
    out = []
    for t in targets:
        s = DataSample()
        s.set_field(np.asarray(t, dtype=np.uint8), 'color_target')
        out.append(s)
    return out


def test_output_shape_is_per_channel_per_pixel_bins():
    head = BiasPredictionHead(in_channels=32, num_channels=3, num_bins=8)
    logits = head((torch.randn(2, 32, 14, 14), ))
    assert logits.shape == (2, 3, 8, 14, 14)


def test_loss_is_sum_over_channels_of_masked_cross_entropy():
    torch.manual_seed(0)
    head = BiasPredictionHead(in_channels=4, mid_channels=4, num_bins=8)
    feats = (torch.randn(2, 4, 3, 3), )
    targets = torch.randint(0, 8, (2, 3, 3, 3))
    targets[0, 0, 0, :] = 255
    targets[1, 2] = 255
    loss = head.loss(feats, samples_with(targets.numpy()))['loss_bias']
    logits = head(feats)
    expected = sum(
        F.cross_entropy(logits[:, c], targets[:, c], ignore_index=255)
        for c in range(3))
    torch.testing.assert_close(loss, expected)


def test_loss_of_all_ignored_batch_is_zero_not_nan():
    head = BiasPredictionHead(in_channels=4, mid_channels=4)
    targets = np.full((2, 3, 3, 3), 255, dtype=np.uint8)
    loss = head.loss((torch.randn(2, 4, 3, 3), ),
                     samples_with(targets))['loss_bias']
    assert loss.item() == 0.0


def test_neg_entropy_is_minus_log_bins_for_uniform_predictions():
    head = BiasPredictionHead(in_channels=4, mid_channels=4, num_bins=8)
    for branch in head.branches:  # constant logits -> uniform softmax
        torch.nn.init.zeros_(branch[-1].weight)
        torch.nn.init.zeros_(branch[-1].bias)
    value = head.uncertainty((torch.randn(2, 4, 5, 5), ), "neg_entropy")
    assert value.item() == pytest.approx(-math.log(8), abs=1e-6)


def test_missing_target_names_the_field_and_the_fix():
    head = BiasPredictionHead(in_channels=4, mid_channels=4)
    with pytest.raises(KeyError, match='algorithm_keys'):
        head.loss((torch.randn(1, 4, 3, 3), ), [DataSample()])


def test_uniform_cross_entropy_is_log_bins_at_uniform_and_larger_elsewhere():
    head = BiasPredictionHead(in_channels=4, mid_channels=4, num_bins=8)
    feats = (torch.randn(2, 4, 5, 5), )
    assert head.uncertainty(feats, 'uniform_ce').item() > math.log(8)
    for branch in head.branches:
        torch.nn.init.zeros_(branch[-1].weight)
        torch.nn.init.zeros_(branch[-1].bias)
    assert head.uncertainty(feats, 'uniform_ce').item() == pytest.approx(
        math.log(8), abs=1e-6)


def test_unknown_uncertainty_kind_is_refused():
    head = BiasPredictionHead(in_channels=4, mid_channels=4)
    with pytest.raises(ValueError, match='uniform_ce'):
        head.uncertainty((torch.randn(1, 4, 3, 3), ), 'kl')


@pytest.mark.parametrize('kwargs,message', [
    (dict(num_bins=1), r'num_bins=1 must be an integer >= 2'),
    (dict(num_channels=0), r'num_channels=0 must be an integer >= 1'),
    (dict(ignore_index=3), r'ignore_index=3 is one of the num_bins=8 bins'),
    (dict(ignore_index=2.5), r'ignore_index=2\.5 must be an integer'),
])
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match='^BiasPredictionHead: ' + message):
        BiasPredictionHead(**kwargs)
    BiasPredictionHead(ignore_index=-1)  # outside the bins
