from .gradient_reversal import GradientReversal, reverse_gradient

__all__ = ['GradientReversal', 'reverse_gradient']
