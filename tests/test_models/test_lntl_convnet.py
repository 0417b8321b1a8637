"""LNTLConvNet against the paper's layer order."""
import copy

import pytest
import torch
import torch.nn as nn

import lnl_mm  # noqa: F401
from lnl_mm.models.backbones import LNTLConvNet


def paper_order_f(net: LNTLConvNet) -> nn.Sequential:
    """``net.f`` rebuilt in the paper's order (ReLU before the max pooling),
    with copies of ``net``'s weights."""
    conv1, conv2 = copy.deepcopy(net.f[0]), copy.deepcopy(net.f[3])
    return nn.Sequential(conv1, nn.ReLU(inplace=True),
                         nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
                         conv2, nn.ReLU(inplace=True))


@pytest.mark.parametrize('channels_last', [False, True])
def test_f_is_bit_identical_to_the_papers_layer_order(channels_last):
    torch.manual_seed(0)
    net = LNTLConvNet()
    net.init_weights()
    reference = paper_order_f(net)
    # many windows whose values are all negative, and exact ties
    x = torch.randn(16, 3, 28, 28).round(decimals=1) - 0.3
    if channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    x_net = x.clone().requires_grad_()
    x_ref = x.clone().requires_grad_()
    out = net.f(x_net)
    out_ref = reference(x_ref)
    assert torch.equal(out, out_ref)
    upstream = torch.randn_like(out)
    out.backward(upstream)
    out_ref.backward(upstream)
    assert torch.equal(x_net.grad, x_ref.grad)
    for name, p in net.f.named_parameters():
        assert torch.equal(p.grad, reference.get_parameter(name).grad), name


def test_state_dict_keys_are_the_papers_network():
    """Checkpoints keep their keys: the layers with weights sit where they
    always did."""
    keys = set(LNTLConvNet().state_dict())
    assert {'f.0.weight', 'f.0.bias', 'f.3.weight', 'f.3.bias',
            'g.0.weight', 'g.2.weight'} <= keys
    assert not any(k.startswith(('f.1.', 'f.2.')) for k in keys)
