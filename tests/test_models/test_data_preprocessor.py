"""LNTLDataPreprocessor: ClsDataPreprocessor's values, NHWC on request."""
import torch
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

import lnl_mm  # noqa: F401

NORM = dict(mean=[125.3, 122.9, 113.9], std=[51.6, 50.8, 51.3])


def batch():
    g = torch.Generator().manual_seed(0)
    return dict(inputs=[
        torch.randint(0, 256, (3, 28, 28), generator=g, dtype=torch.uint8)
        for _ in range(4)
    ])


def test_channels_last_keeps_values_and_changes_layout():
    plain = MODELS.build(dict(type='ClsDataPreprocessor', **NORM))
    nhwc = MODELS.build(
        dict(type='LNTLDataPreprocessor', channels_last=True, **NORM))
    expected = plain(batch(), True)['inputs']
    got = nhwc(batch(), True)['inputs']
    torch.testing.assert_close(got, expected, rtol=0, atol=0)
    assert got.is_contiguous(memory_format=torch.channels_last)
    assert not expected.is_contiguous(memory_format=torch.channels_last)


def test_stacked_batch_equals_image_by_image_normalisation():
    """A list of same-shape images is normalised as one tensor, with the
    values of ClsDataPreprocessor's per-image path (to_rgb too); images of
    different shapes still go image by image (padded by stack_batch)."""
    for to_rgb in (False, True):
        plain = MODELS.build(
            dict(type='ClsDataPreprocessor', to_rgb=to_rgb, **NORM))
        ours = MODELS.build(
            dict(type='LNTLDataPreprocessor', to_rgb=to_rgb, **NORM))
        torch.testing.assert_close(
            ours(batch(), True)['inputs'], plain(batch(), True)['inputs'],
            rtol=0, atol=0)
    mixed = dict(inputs=[torch.zeros(3, 28, 28, dtype=torch.uint8),
                         torch.zeros(3, 30, 28, dtype=torch.uint8)])
    pre = MODELS.build(
        dict(type='LNTLDataPreprocessor', pad_size_divisor=32, **NORM))
    assert pre(mixed, True)['inputs'].shape == (2, 3, 32, 32)


def test_default_is_the_plain_layout():
    pre = MODELS.build(dict(type='LNTLDataPreprocessor', **NORM))
    assert pre(batch(), False)['inputs'].is_contiguous()


def test_lntl_network_gives_the_same_outputs_in_both_layouts():
    torch.manual_seed(0)
    net = MODELS.build(dict(type='LNTLConvNet'))
    net.eval()
    x = torch.randn(2, 3, 28, 28)
    f_map, g_feat = net(x)
    f_cl, g_cl = net(x.contiguous(memory_format=torch.channels_last))
    torch.testing.assert_close(f_cl, f_map, rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(g_cl, g_feat, rtol=1e-4, atol=1e-5)


def test_non_blocking_reaches_the_device_copy():
    pre = MODELS.build(
        dict(type='LNTLDataPreprocessor', non_blocking=True, **NORM))
    assert pre._non_blocking is True
    assert MODELS.build(dict(type='LNTLDataPreprocessor',
                             **NORM))._non_blocking is False


def labelled_batch():
    data = batch()
    data['data_samples'] = [
        DataSample().set_gt_label(label) for label in (3, 1, 4, 1)]
    return data


def test_labels_on_the_device_stay_in_their_samples():
    """Labels already on the device are not concatenated and split back
    (the same tensors stay in the samples); the inputs and the labels'
    values are ClsDataPreprocessor's."""
    plain = MODELS.build(dict(type='ClsDataPreprocessor', **NORM))
    ours = MODELS.build(
        dict(type='LNTLDataPreprocessor', channels_last=True, **NORM))
    data = labelled_batch()
    before = [s.gt_label for s in data['data_samples']]
    got = ours(data, True)
    expected = plain(labelled_batch(), True)
    assert all(s.gt_label is t
               for s, t in zip(got['data_samples'], before))
    assert [int(s.gt_label) for s in got['data_samples']] == \
        [int(s.gt_label) for s in expected['data_samples']] == [3, 1, 4, 1]
    torch.testing.assert_close(got['inputs'], expected['inputs'],
                               rtol=0, atol=0)


def test_labels_take_mmpretrains_path_when_the_batch_needs_them():
    """to_onehot (and gt_score) still go through ClsDataPreprocessor's
    label handling: the one-hot scores are set on the samples."""
    ours = MODELS.build(dict(type='LNTLDataPreprocessor', to_onehot=True,
                             num_classes=5, **NORM))
    assert not ours.labels_in_place(labelled_batch()['data_samples'])
    got = ours(labelled_batch(), True)
    assert [s.gt_score.argmax().item() for s in got['data_samples']] == \
        [3, 1, 4, 1]
    plain = MODELS.build(dict(type='LNTLDataPreprocessor', **NORM))
    scored = labelled_batch()['data_samples']
    scored[0].set_gt_score(torch.ones(5) / 5)
    assert not plain.labels_in_place(scored)
    assert plain.labels_in_place(labelled_batch()['data_samples'])
    assert not plain.labels_in_place(None)
