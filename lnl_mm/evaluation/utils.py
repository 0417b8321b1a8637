import numpy as np
import torch


def as_int(value) -> int:
    """The first element of a label (tensor, array, list or number) as an
    int: data samples store ``gt_label`` and ``bias_label`` as 1-element
    tensors or arrays."""
    if isinstance(value, torch.Tensor):
        return int(value.reshape(-1)[0].item())
    return int(np.asarray(value).reshape(-1)[0])
