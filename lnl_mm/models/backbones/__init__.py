from .lntl_convnet import LNTLConvNet
from .split_resnet import SplitResNet

__all__ = ['LNTLConvNet', 'SplitResNet']
