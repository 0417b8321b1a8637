from .to_grayscale import BT601_WEIGHTS, ToGrayscale

__all__ = ['BT601_WEIGHTS', 'ToGrayscale']
