from .data_preprocessor import LNTLDataPreprocessor
from .global_pool import global_pool

__all__ = ['LNTLDataPreprocessor', 'global_pool']
