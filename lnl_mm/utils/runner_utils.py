"""Reading a Runner's model and optimizers the same way on one process and
under a distributed wrapper."""
from typing import Dict

import torch
from mmengine.model import is_model_wrapper
from mmengine.optim import OptimWrapper, OptimWrapperDict


def unwrap_model(model: torch.nn.Module) -> torch.nn.Module:
    """``model`` without its distributed wrapper (DDP and the like)."""
    return model.module if is_model_wrapper(model) else model


def runner_model(runner) -> torch.nn.Module:
    """The runner's model, without its distributed wrapper."""
    return unwrap_model(runner.model)


def named_optim_wrappers(optim_wrapper) -> Dict[str, OptimWrapper]:
    """``{name: wrapper}`` of an ``OptimWrapper`` (named ``'optimizer'``) or
    of each wrapper of an ``OptimWrapperDict``."""
    if isinstance(optim_wrapper, OptimWrapperDict):
        return dict(optim_wrapper.items())
    return {'optimizer': optim_wrapper}


def named_optimizers(optim_wrapper) -> Dict[str, torch.optim.Optimizer]:
    """``{name: optimizer}`` of an ``OptimWrapper`` or ``OptimWrapperDict``."""
    return {
        name: wrapper.optimizer
        for name, wrapper in named_optim_wrappers(optim_wrapper).items()
    }
