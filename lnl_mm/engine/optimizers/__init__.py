from .joint_step import step_optim_wrappers
from .lntl_optim_wrapper_constructor import LNTLOptimWrapperConstructor
from .lntl_optim_wrapper_dict import LNTLOptimWrapperDict

__all__ = [
    'LNTLOptimWrapperConstructor', 'LNTLOptimWrapperDict',
    'step_optim_wrappers'
]
