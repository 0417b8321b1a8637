from .lntl_classifier import LNTLClassifier

__all__ = ['LNTLClassifier']
