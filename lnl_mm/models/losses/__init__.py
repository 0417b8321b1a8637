from .uncertainty import (UNCERTAINTY_LOSSES, negative_entropy,
                          uncertainty_loss, uniform_cross_entropy)

__all__ = [
    'UNCERTAINTY_LOSSES', 'negative_entropy', 'uncertainty_loss',
    'uniform_cross_entropy'
]
