"""Colour handling of the Colored MNIST benchmark: palette checks, colour
sampling, colourisation and the LNTL per-pixel colour target, all on whole
arrays (one call per split or per batch, no loop over samples)."""
import math
from numbers import Integral, Real
from typing import Sequence, Union

import numpy as np

#: Number of digit classes, and therefore of mean colours.
NUM_CLASSES = 10

#: Ten well-separated mean colours (RGB in [0, 1]), one per digit class:
#: red, green, blue, yellow, magenta, cyan, orange, pink, violet, grey.
DEFAULT_PALETTE = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0),
                   (0.9, 0.9, 0.0), (0.9, 0.0, 0.9), (0.0, 0.9, 0.9),
                   (1.0, 0.5, 0.0), (1.0, 0.0, 0.5), (0.5, 0.0, 1.0),
                   (0.5, 0.5, 0.5))

#: An estimate of the paper's mean colours (RGB in [0, 1], digits 0-9:
#: crimson, teal, yellow, blue, orange, purple, cyan, pink, lime, maroon),
#: which the paper does not publish: the mean stroke colour of the 40
#: training digits in an example figure of the paper's data set (4 per
#: class) and of 20 training digits of two of the authors' files
#: (benchmarks/palette: samples.csv, estimate.py).
#: Its colours lie closer together than :data:`DEFAULT_PALETTE`'s and more
#: of them share a brightness, so the colour shortcut (and the brightness
#: that Gray keeps of it) is weaker at the same ``color_var``.
PAPER_ESTIMATE_PALETTE = ((0.861, 0.105, 0.241), (0.096, 0.52, 0.563),
                          (0.868, 0.918, 0.204), (0.148, 0.382, 0.778),
                          (0.908, 0.511, 0.208), (0.584, 0.095, 0.773),
                          (0.327, 0.815, 0.85), (0.889, 0.685, 0.81),
                          (0.614, 0.9, 0.387), (0.416, 0.131, 0.173))

#: Palettes that ``palette=`` accepts by name.
NAMED_PALETTES = {
    'default': DEFAULT_PALETTE,
    'paper_estimate': PAPER_ESTIMATE_PALETTE,
}


def check_palette(palette=None, num_classes: int = NUM_CLASSES) -> np.ndarray:
    """``num_classes`` RGB triples in [0, 1], or the name of one of
    :data:`NAMED_PALETTES` (None: :data:`DEFAULT_PALETTE`), as a float64
    (num_classes, 3) array, or a ValueError saying the fix."""
    if palette is None:
        palette = DEFAULT_PALETTE
    fix = (f'Give {num_classes} RGB triples with every value in [0, 1] '
           '(e.g. palette=[[1.0, 0.0, 0.0], ...]), the name of one of '
           f'{sorted(NAMED_PALETTES)}, or palette=None for the default.')
    if isinstance(palette, str):
        if palette not in NAMED_PALETTES:
            raise ValueError(f'palette={palette!r} is not a known palette '
                             f'name. {fix}')
        palette = NAMED_PALETTES[palette]
    try:
        array = np.asarray(palette, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f'palette={palette!r} is not numeric ({err}). '
                         f'{fix}') from None
    if array.shape != (num_classes, 3):
        raise ValueError(f'palette has shape {array.shape}, expected '
                         f'({num_classes}, 3). {fix}')
    if not np.all(np.isfinite(array)) or array.min() < 0 or array.max() > 1:
        raise ValueError(f'palette values must lie in [0, 1], got min '
                         f'{array.min()} and max {array.max()}. If your '
                         f'colours are 0..255, divide them by 255. {fix}')
    return array


def check_color_var(color_var) -> float:
    """Return ``color_var`` (sigma^2 of the colour jitter) as a float, or
    raise ValueError if it is not a positive finite number."""
    fix = ('color_var is the variance sigma^2 of the colour jitter; use a '
           'positive finite number such as the paper\'s 0.020 ... 0.050.')
    if isinstance(color_var, bool) or not isinstance(color_var, Real):
        raise ValueError(f'color_var={color_var!r} is not a number. {fix}')
    if not math.isfinite(color_var) or color_var <= 0:
        raise ValueError(f'color_var={float(color_var)!r} is not a positive '
                         f'finite number. {fix}')
    return float(color_var)


def sample_colors(rng: np.random.Generator, mean_index: np.ndarray,
                  palette: np.ndarray, color_var: float) -> np.ndarray:
    """One colour per digit from N(palette[mean_index], color_var * I),
    clipped to [0, 1]: (N, 3) float64."""
    noise = rng.standard_normal((len(mean_index), 3))
    colors = palette[mean_index] + math.sqrt(color_var) * noise
    return np.clip(colors, 0.0, 1.0)


def colorize_digits(gray: np.ndarray,
                    colors: np.ndarray,
                    stroke_threshold: int = 128,
                    soft: bool = False) -> np.ndarray:
    """Paint grey uint8 digits (N, H, W) with one colour in [0, 1] each
    (N, 3), on black, as uint8 (N, H, W, 3): the stroke (pixels
    ``>= stroke_threshold``) is filled with the flat colour, as in the
    authors' files, or, with ``soft``, colour x intensity (integer
    arithmetic, rounded division by 255: the same on every platform)."""
    color_u8 = np.rint(np.asarray(colors) * 255.0).astype(
        np.uint8)[:, None, None, :]
    if soft:
        product = gray[..., None].astype(np.uint16) * color_u8
        return ((product + 127) // 255).astype(np.uint8)
    stroke = (gray >= stroke_threshold)[..., None]
    return stroke * color_u8


def check_color_target_args(num_bins: int, ignore_index: int) -> None:
    """Validate the quantisation settings of :func:`pixel_color_target`."""
    if (isinstance(num_bins, bool) or not isinstance(num_bins, Integral)
            or not 1 <= num_bins <= 256 or 256 % num_bins):
        raise ValueError(f'num_color_bins={num_bins!r} must be a power of '
                         'two between 1 and 256 so that 256 // num_bins '
                         'bins cover 0..255 exactly; the paper uses 8.')
    if (isinstance(ignore_index, bool)
            or not isinstance(ignore_index, Integral)
            or not 0 <= ignore_index <= 255 or ignore_index < num_bins):
        raise ValueError(f'ignore_index={ignore_index!r} must be an integer '
                         f'in [{num_bins}, 255] so that it cannot be '
                         'mistaken for a colour bin; the paper uses 255.')


def pixel_color_target(images,
                       num_bins: int = 8,
                       ignore_index: int = 255,
                       stride: int = 2,
                       channels_last: bool = True):
    """Per-pixel colour target of the LNTL bias predictor, for uint8
    images (numpy or torch), (N, H, W, 3) if ``channels_last`` else
    (N, 3, H, W), or one image without N: uint8 of the same type,
    (N, 3, H // stride, W // stride).

    The images are sampled nearest-neighbour at ``1/stride`` resolution
    (rows and columns ``stride // 2, stride // 2 + stride, ...``; for 28x28
    and stride 2 that is 1, 3, ..., 27), every channel is quantised into
    ``num_bins`` bins, a power of two (``value // (256 // num_bins)``, i.e.
    ``value // 32`` for 8 bins), and a channel value of 0 (background) is
    marked ``ignore_index``.
    """
    check_color_target_args(num_bins, ignore_index)
    if isinstance(stride, bool) or not isinstance(stride, Integral) \
            or stride < 1:
        raise ValueError(f'stride={stride!r} must be a positive integer.')
    if str(images.dtype) not in ('uint8', 'torch.uint8'):
        raise TypeError(f'pixel_color_target expects uint8 images (0..255), '
                        f'got dtype {images.dtype}; convert them before '
                        'normalisation.')
    if images.ndim not in (3, 4):
        raise ValueError(f'images must have 3 or 4 dimensions, got shape '
                         f'{tuple(images.shape)}.')
    offset = stride // 2
    if channels_last:
        sampled = images[..., offset::stride, offset::stride, :]
        # (..., h, w, 3) -> (..., 3, h, w)
        order = (0, 3, 1, 2) if images.ndim == 4 else (2, 0, 1)
        sampled = sampled.permute(*order) if hasattr(sampled, 'permute') \
            else sampled.transpose(order)
    else:
        sampled = images[..., offset::stride, offset::stride]
    bins = sampled // (256 // num_bins)
    bins[sampled == 0] = ignore_index
    if hasattr(bins, 'contiguous'):
        return bins.contiguous()
    return np.ascontiguousarray(bins)


def estimate_stroke_colors(images: np.ndarray,
                           chunk_size: int = 4096) -> np.ndarray:
    """Colours in [0, 1], (N, 3), of already coloured uint8 digits
    (N, H, W, 3): the mean RGB of each digit's stroke, the pixels whose
    brightest channel is at least half of the image's brightest pixel
    (colour 0 for an all black image), ``chunk_size`` images at a time."""
    colors = np.zeros((len(images), 3), dtype=np.float64)
    for start in range(0, len(images), chunk_size):
        chunk = images[start:start + chunk_size]
        brightness = chunk.max(axis=-1).astype(np.uint16)
        peak = brightness.reshape(len(chunk), -1).max(axis=1)
        stroke = (brightness * 2 >= peak[:, None, None]) & (brightness > 0)
        total = (chunk * stroke[..., None]).sum(axis=(1, 2), dtype=np.int64)
        count = stroke.sum(axis=(1, 2))[:, None]
        colors[start:start + chunk_size] = \
            total / np.maximum(count, 1) / 255.0
    return colors


def nearest_color_index(colors: np.ndarray,
                        means: Union[np.ndarray, Sequence]) -> np.ndarray:
    """Index of the nearest (Euclidean) mean colour of every colour."""
    means = np.asarray(means, dtype=np.float64)
    dist = ((colors[:, None, :] - means[None, :, :])**2).sum(axis=-1)
    return dist.argmin(axis=1)
