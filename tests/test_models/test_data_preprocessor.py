"""LNTLDataPreprocessor: ClsDataPreprocessor's values, NHWC on request."""
import torch
from mmpretrain.registry import MODELS

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
