"""Reading a Runner's model and optimizers the same way on one process and
under a distributed wrapper."""
from typing import Dict

import torch
from mmengine.model import is_model_wrapper
from mmengine.optim import OptimWrapperDict


def unwrap_model(model: torch.nn.Module) -> torch.nn.Module:
    """``model`` without its distributed wrapper (DDP and the like)."""
    return model.module if is_model_wrapper(model) else model


def runner_model(runner) -> torch.nn.Module:
    """The runner's model, without its distributed wrapper."""
    return unwrap_model(runner.model)


def named_optimizers(optim_wrapper) -> Dict[str, torch.optim.Optimizer]:
    """``{name: optimizer}`` of an ``OptimWrapper`` or ``OptimWrapperDict``."""
    if isinstance(optim_wrapper, OptimWrapperDict):
        return {name: w.optimizer for name, w in optim_wrapper.items()}
    return {'optimizer': optim_wrapper.optimizer}
