"""Finding NaN and inf in tensors, state dicts and models (the checks the
non-finite hook runs after every iteration and before every step)."""
import math

import pytest
import torch
from torch import nn

from lnl_mm.utils import (all_finite, non_finite_model_state,
                          non_finite_tensors)


def mixed_tensors():
    return [
        torch.randn(3, 4),
        torch.randn(5, dtype=torch.float64),
        torch.randn(6).half(),
        torch.randn(2).bfloat16(),
        torch.tensor(2.5),
        torch.randn(3, dtype=torch.complex64),
    ]


def test_all_finite_on_finite_tensors_of_every_float_dtype():
    assert all_finite(mixed_tensors())
    assert all_finite([])
    # empty tensors and integer tensors have nothing to check
    assert all_finite([torch.empty(0), torch.arange(5), torch.randn(2)])


@pytest.mark.parametrize('bad', [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize('where', range(6))
def test_all_finite_finds_one_bad_element_in_any_tensor(bad, where):
    tensors = mixed_tensors()
    tensors[where].view(-1)[-1] = bad
    assert not all_finite(tensors)
    assert not all_finite(t for t in tensors)  # any iterable


def test_all_finite_keeps_large_float64_values_finite():
    # a float64 magnitude beyond float32's range is finite, and stays so
    # next to float32 and float16 tensors
    assert all_finite([torch.tensor([1e300], dtype=torch.float64),
                       torch.randn(3), torch.randn(2).half()])


def test_all_finite_reads_gradient_tracking_tensors_without_a_graph():
    weight = torch.randn(4, requires_grad=True)
    assert all_finite([weight * 2])
    weight.grad = torch.tensor([0.0, math.nan, 0.0, 0.0])
    assert not all_finite([weight.grad])


def test_non_finite_model_state_names_weights_and_buffers():
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    assert non_finite_model_state(model) == []
    with torch.no_grad():
        model[0].bias[1] = math.inf
        model[1].running_var[0] = math.nan
    assert non_finite_model_state(model) == ['0.bias', '1.running_var']


def test_non_finite_tensors_names_entries_of_a_state_dict():
    state = dict(a=torch.zeros(2), steps=torch.tensor(3), meta='x',
                 b=torch.tensor([1.0, -math.inf]))
    assert non_finite_tensors(state) == ['b']
    state['b'] = torch.ones(2)
    assert non_finite_tensors(state) == []
