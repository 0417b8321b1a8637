"""Find NaN and inf values in logged losses and in model states."""
import math
from collections.abc import Mapping
from itertools import chain
from typing import Dict, Iterable, List

import torch


def _first_non_finite(value):
    """The first NaN/inf element of a tensor or number, or None."""
    if isinstance(value, torch.Tensor):
        if not (value.is_floating_point() or value.is_complex()):
            return None
        bad = ~torch.isfinite(value.detach())
        if not bad.any():
            return None
        return value.detach()[bad].flatten()[0].item()
    if isinstance(value, float) and not math.isfinite(value):
        return value
    return None


def non_finite_entries(values: Mapping) -> Dict[str, float]:
    """Entries of ``values`` (tensors or numbers) that hold NaN or inf.

    Args:
        values (Mapping): e.g. the loss terms a ``train_step`` returns.

    Returns:
        dict: ``{name: first non-finite value}``, in the input's order.
    """
    found = {}
    for name, value in values.items():
        bad = _first_non_finite(value)
        if bad is not None:
            found[name] = bad
    return found


def non_finite_tensors(state_dict: Mapping) -> List[str]:
    """Names of the tensors of ``state_dict`` that hold NaN or inf."""
    tensors = [(name, value) for name, value in state_dict.items()
               if isinstance(value, torch.Tensor)]
    if all_finite(value for _, value in tensors):
        return []
    return [name for name, value in tensors
            if _first_non_finite(value) is not None]


def all_finite(tensors: Iterable[torch.Tensor]) -> bool:
    """Whether no floating-point (or complex) tensor of ``tensors`` holds
    NaN or inf; other tensors are ignored.

    Per device, one fused operation takes every tensor's largest magnitude
    (``torch._foreach_norm`` with the infinity norm: NaN and inf stay NaN
    and inf in it), then one check and one device-to-host sync follow. A
    check of every weight after every iteration then costs a few
    operations, not two per tensor.
    """
    by_device: Dict[torch.device, List[torch.Tensor]] = {}
    for t in tensors:
        if (t.is_floating_point() or t.is_complex()) and t.numel():
            by_device.setdefault(t.device, []).append(t.detach())
    with torch.no_grad():
        for group in by_device.values():
            # stack promotes to the widest dtype: a float64 magnitude is
            # never cast to a type in which it would overflow
            largest = torch.stack(torch._foreach_norm(group, math.inf))
            if not bool(torch.isfinite(largest).all()):
                return False
    return True


def non_finite_model_state(model: torch.nn.Module) -> List[str]:
    """Names of the floating-point parameters and buffers of ``model`` that
    hold NaN or inf; a few operations and one device-to-host sync (per
    device) when all are finite, see :func:`all_finite`."""
    return non_finite_tensors(
        dict(chain(model.named_parameters(), model.named_buffers())))


__all__ = [
    'all_finite', 'non_finite_entries', 'non_finite_model_state',
    'non_finite_tensors'
]
