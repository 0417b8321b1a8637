from .bias_accuracy import BiasAccuracy

__all__ = ['BiasAccuracy']
