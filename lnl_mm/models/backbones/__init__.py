from .lntl_convnet import LNTLConvNet

__all__ = ['LNTLConvNet']
