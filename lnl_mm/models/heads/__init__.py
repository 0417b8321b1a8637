from .bias_classification_head import BiasClassificationHead
from .bias_prediction_head import BiasPredictionHead

__all__ = ['BiasClassificationHead', 'BiasPredictionHead']
