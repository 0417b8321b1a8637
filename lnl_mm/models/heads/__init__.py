from .bias_prediction_head import BiasPredictionHead

__all__ = ['BiasPredictionHead']
