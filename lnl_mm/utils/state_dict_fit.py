"""Compare a checkpoint's state dict with a model's, before loading it."""
import re
from collections import OrderedDict
from typing import List, Mapping, NamedTuple, Sequence, Tuple

import torch

#: BatchNorm's counter; MMEngine's loader ignores it when missing.
IGNORED_MISSING = ('num_batches_tracked', )


class StateDictFit(NamedTuple):
    """How a checkpoint's state dict fits a model's.

    Attributes:
        matched (list[str]): Keys in both, with the same shape.
        missing (list[str]): Model keys the checkpoint lacks (BatchNorm's
            ``num_batches_tracked`` excepted).
        unexpected (list[str]): Checkpoint keys the model lacks.
        mismatched (list[tuple]): ``(key, checkpoint shape, model shape)``.
    """
    matched: List[str]
    missing: List[str]
    unexpected: List[str]
    mismatched: List[Tuple[str, tuple, tuple]]


def revise_keys(state_dict: Mapping,
                revisions: Sequence[Tuple[str, str]] = ((r'^module\.',
                                                        ''), )
                ) -> 'OrderedDict':
    """Rename keys as ``Runner.load_checkpoint`` does (strip ``module.``)."""
    revised = OrderedDict(state_dict)
    for pattern, replacement in revisions:
        revised = OrderedDict(
            (re.sub(pattern, replacement, k), v) for k, v in revised.items())
    return revised


def _shape(value) -> tuple:
    return tuple(value.shape) if isinstance(value, torch.Tensor) else ()


def compare_state_dicts(model_state: Mapping,
                        checkpoint_state: Mapping) -> StateDictFit:
    """Sort the keys of both state dicts into a :class:`StateDictFit`."""
    matched, missing, mismatched = [], [], []
    for key, value in model_state.items():
        if key not in checkpoint_state:
            if not key.endswith(IGNORED_MISSING):
                missing.append(key)
        elif _shape(checkpoint_state[key]) != _shape(value):
            mismatched.append(
                (key, _shape(checkpoint_state[key]), _shape(value)))
        else:
            matched.append(key)
    unexpected = [k for k in checkpoint_state if k not in model_state]
    return StateDictFit(matched, missing, unexpected, mismatched)


def top_module(key: str) -> str:
    """The model's child module a state-dict key belongs to."""
    return key.split('.', 1)[0]


def name_some(keys: Sequence[str], limit: int = 6) -> str:
    """``'a, b, c'`` or ``'a, b, ... (12 in all)'`` for messages."""
    shown = ', '.join(keys[:limit])
    if len(keys) > limit:
        shown += f', ... ({len(keys)} in all)'
    return shown


__all__ = [
    'StateDictFit', 'compare_state_dicts', 'name_some', 'revise_keys',
    'top_module'
]
