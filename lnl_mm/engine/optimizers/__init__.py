from .joint_step import step_optim_wrappers
from .lntl_optim_wrapper_constructor import LNTLOptimWrapperConstructor

__all__ = ['LNTLOptimWrapperConstructor', 'step_optim_wrappers']
