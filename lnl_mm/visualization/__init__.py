from .confusion_matrix import plot_bias_grid, plot_confusion_matrix

__all__ = ['plot_bias_grid', 'plot_confusion_matrix']
