"""Find NaN and inf values in logged losses and in model states."""
import math
from collections.abc import Mapping
from itertools import chain
from typing import Dict, List

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
    return [
        name for name, value in state_dict.items()
        if isinstance(value, torch.Tensor)
        and _first_non_finite(value) is not None
    ]


def non_finite_model_state(model: torch.nn.Module) -> List[str]:
    """Names of the floating-point parameters and buffers of ``model`` that
    hold NaN or inf; one device-to-host sync when all are finite."""
    tensors = [(name, t)
               for name, t in chain(model.named_parameters(),
                                    model.named_buffers())
               if t.is_floating_point() and t.numel()]
    if not tensors:
        return []
    with torch.no_grad():
        finite = torch.stack([torch.isfinite(t).all() for _, t in tensors])
        if bool(finite.all()):
            return []
    return [name for (name, _), ok in zip(tensors, finite.tolist()) if not ok]


__all__ = [
    'non_finite_entries', 'non_finite_model_state', 'non_finite_tensors'
]
