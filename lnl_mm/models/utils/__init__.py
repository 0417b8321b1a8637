from .data_preprocessor import LNTLDataPreprocessor

__all__ = ['LNTLDataPreprocessor']
