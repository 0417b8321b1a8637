from .gradient_reversal import GradientReversal, reverse_gradient
from .stop_gradient import StopGradient

__all__ = ['GradientReversal', 'reverse_gradient', 'StopGradient']
