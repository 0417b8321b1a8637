"""The Colored MNIST protocol: stable seeding, stratified held-out splits and
the choice of each digit's mean colour."""
import hashlib
import json
from numbers import Integral, Real
from typing import Dict, Optional, Sequence, Tuple

import numpy as np

from .colorize import (NUM_CLASSES, colorize_digits, estimate_stroke_colors,
                       nearest_color_index, pixel_color_target,
                       sample_colors)

#: Splits of :class:`ColoredMNIST`.
SPLITS = ('train', 'val', 'test')
#: How the validation split is coloured: like 'train' or like 'test'.
VAL_PROTOCOLS = ('train', 'test')
#: Default validation size of the idx / lntl_npy sources, as a fraction of
#: the training digits: 5,000 of MNIST's 60,000 (the classic 55k/5k split).
DEFAULT_VAL_FRACTION = 1 / 12
#: Default validation size of the sample source: 50 of 400 digits per class.
DEFAULT_SAMPLE_NUM_VAL = 500


def stable_seed(*parts) -> int:
    """Derive a 128-bit seed from JSON-serialisable parts with SHA-256.

    Unlike Python's ``hash()`` this is identical on every machine and run.
    """
    text = json.dumps(parts, sort_keys=True, separators=(',', ':'))
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:16], 'big')


def make_rng(*parts) -> np.random.Generator:
    """A PCG64 generator seeded by :func:`stable_seed` of ``parts``."""
    return np.random.Generator(np.random.PCG64(stable_seed(*parts)))


def stratified_holdout(labels: np.ndarray, num_holdout: int,
                       seed: int) -> np.ndarray:
    """Choose ``num_holdout`` samples with the class proportions of ``labels``.

    Per-class quotas are proportional to the class sizes (largest remainder
    rounding); within each class the samples are picked at random.

    Args:
        labels (np.ndarray): Class of every sample, (N,).
        num_holdout (int): How many samples to hold out, 0 <= n <= N.
        seed (int): Seed of the choice (mixed through :func:`make_rng`).

    Returns:
        np.ndarray: Boolean mask, True for held-out samples.
    """
    rng = make_rng('stratified_holdout', seed)
    classes, counts = np.unique(labels, return_counts=True)
    quota = counts * num_holdout / len(labels)
    take = np.floor(quota).astype(np.int64)
    leftover = num_holdout - int(take.sum())
    order = np.argsort(-(quota - take), kind='stable')
    take[order[:leftover]] += 1
    mask = np.zeros(len(labels), dtype=bool)
    for cls, num in zip(classes, take):
        members = np.flatnonzero(labels == cls)
        mask[rng.permutation(members)[:num]] = True
    return mask


def check_holdout_spec(name: str, value):
    """A held-out size as given: None, a count (int >= 0) or a fraction in
    [0, 1) (float); returned as int, float or None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(
            value, (int, float, np.integer, np.floating)):
        raise ValueError(f'{name}={value!r} must be a count (int), a '
                         'fraction in [0, 1) (float) or None.')
    if isinstance(value, (float, np.floating)):
        if not 0.0 <= value < 1.0:
            raise ValueError(f'{name}={value!r} as a fraction must lie in '
                             '[0, 1); pass an int for a count.')
        return float(value)
    if value < 0:
        raise ValueError(f'{name}={value!r} must not be negative.')
    return int(value)


def resolve_num_holdout(spec, num_total: int, what: str) -> int:
    """Turn a held-out spec (count or fraction) into a count.

    Args:
        spec (int | float): A count ``0 <= spec < num_total`` or a fraction
            ``0 <= spec < 1``.
        num_total (int): Size of the pool the samples are held out from.
        what (str): Argument name used in error messages.
    """
    if spec is None:
        raise ValueError(f'{what}=None: pass a count (int) or a fraction in '
                         '[0, 1) (float).')
    spec = check_holdout_spec(what, spec)
    if isinstance(spec, float):
        return int(round(spec * num_total))
    if spec >= num_total:
        raise ValueError(f'{what}={spec!r} must be in [0, {num_total}) for '
                         f'a pool of {num_total} digits; lower it or pass a '
                         'fraction such as 0.1.')
    return int(spec)


def draw_bias_labels(rng: np.random.Generator,
                     labels: np.ndarray,
                     aligned: bool,
                     conflict_ratio: float = 0.0,
                     num_classes: int = 10) -> np.ndarray:
    """Choose the index of each digit's mean colour.

    Args:
        rng (np.random.Generator): Source of randomness.
        labels (np.ndarray): Digit classes, (N,).
        aligned (bool): True for the training protocol (colour index =
            class, except a ``conflict_ratio`` fraction that gets a random
            other class); False for the test protocol (uniform over the
            classes, independent of the label).
        conflict_ratio (float): Fraction of bias-conflicting digits under
            the training protocol. Defaults to 0.
        num_classes (int): Number of mean colours. Defaults to 10.

    Returns:
        np.ndarray: int64 colour indices, (N,).
    """
    labels = np.asarray(labels, dtype=np.int64)
    if not aligned:
        return rng.integers(0, num_classes, len(labels), dtype=np.int64)
    bias = labels.copy()
    num_conflict = int(round(conflict_ratio * len(labels)))
    if num_conflict:
        chosen = rng.choice(len(labels), num_conflict, replace=False)
        shift = rng.integers(1, num_classes, num_conflict, dtype=np.int64)
        bias[chosen] = (labels[chosen] + shift) % num_classes
    return bias


# ----------------------------------------------------------------------
# argument checks
# ----------------------------------------------------------------------
def check_choice(name: str, value, choices: Sequence[str]) -> str:
    """Return ``value`` if it is one of ``choices``, else raise naming them."""
    if value not in choices:
        raise ValueError(f'{name}={value!r} is unknown; use one of '
                         f'{", ".join(repr(c) for c in choices)}.')
    return value


def check_int(name: str, value, low: Optional[int] = None,
              high: Optional[int] = None) -> int:
    """Return ``value`` as int if it is an integer in [low, high]."""
    if isinstance(value, bool) or not isinstance(value, Integral) or (
            low is not None and value < low) or (high is not None
                                                 and value > high):
        bounds = ''
        if low is not None or high is not None:
            bounds = f' in [{low if low is not None else "-inf"}, ' \
                     f'{high if high is not None else "inf"}]'
        raise ValueError(f'{name}={value!r} must be an integer{bounds}.')
    return int(value)


def check_ratio(name: str, value) -> float:
    """Return ``value`` as float if it is a fraction in [0, 1]."""
    if isinstance(value, bool) or not isinstance(value, Real) \
            or not 0.0 <= value <= 1.0:
        raise ValueError(f'{name}={value!r} must be a fraction in [0, 1].')
    return float(value)


def check_lntl_npy_options(conflict_ratio: float, val_protocol: str,
                           split: str) -> None:
    """The authors' files are already coloured: refuse options that would
    need recolouring."""
    if conflict_ratio:
        raise ValueError(
            f'conflict_ratio={conflict_ratio} needs recolouring, but '
            'source="lntl_npy" uses the authors\' pre-coloured images; use '
            'source="idx" or "sample", or conflict_ratio=0.')
    if val_protocol == 'test' and split == 'val':
        raise ValueError(
            'val_protocol="test" needs recolouring, but source="lntl_npy" '
            'holds the val digits out of the authors\' (train-coloured) '
            'training images; use source="idx" or "sample", or '
            'val_protocol="train".')


# ----------------------------------------------------------------------
# splitting and colouring
# ----------------------------------------------------------------------
Part = Tuple[np.ndarray, np.ndarray, np.ndarray]


def partition_digits(source: str, digits: Dict[str, np.ndarray], num_val,
                     sample_num_test, split_seed: int) -> Dict[str, Part]:
    """Split a source's digits into train/val/test.

    'sample' digits (one pool) lose a stratified test part first; the other
    sources bring their own test part. A stratified val part is then held out
    of the training digits. Only ``split_seed`` decides which digits go where.

    Returns:
        dict: split -> (images, labels, index of each digit in its source).
    """
    if source == 'sample':
        images, labels = digits['images'], digits['labels']
        num_test = resolve_num_holdout(sample_num_test, len(labels),
                                       'sample_num_test')
        test_mask = stratified_holdout(
            labels, num_test, seed=('sample_test', split_seed))
        pool_index = np.flatnonzero(~test_mask)
        test_index = np.flatnonzero(test_mask)
        pool = (images[pool_index], labels[pool_index], pool_index)
        test = (images[test_index], labels[test_index], test_index)
        default_val = DEFAULT_SAMPLE_NUM_VAL
    else:
        pool = (digits['train_images'], digits['train_labels'],
                np.arange(len(digits['train_labels'])))
        test = (digits['test_images'], digits['test_labels'],
                np.arange(len(digits['test_labels'])))
        default_val = DEFAULT_VAL_FRACTION
    spec = default_val if num_val is None else num_val
    num_val = resolve_num_holdout(spec, len(pool[1]), 'num_val')
    val_mask = stratified_holdout(pool[1], num_val, seed=('val', split_seed))
    return dict(
        train=tuple(part[~val_mask] for part in pool),
        val=tuple(part[val_mask] for part in pool),
        test=test)


def class_mean_colors(digits: Dict[str, np.ndarray]) -> np.ndarray:
    """Mean stroke colour of each class over pre-coloured training digits
    (the authors' files, whose training digits are bias-aligned)."""
    colors = estimate_stroke_colors(digits['train_images'])
    labels = digits['train_labels']
    means = np.zeros((NUM_CLASSES, 3))
    for cls in range(NUM_CLASSES):
        members = colors[labels == cls]
        if len(members):
            means[cls] = members.mean(axis=0)
    return means


def generate_colored_split(source: str, digits: Dict[str, np.ndarray], *,
                           split: str, color_var: float, palette,
                           data_seed: int, val_protocol: str,
                           conflict_ratio: float, stroke_threshold: int,
                           soft_color: bool, num_val, split_seed: int,
                           sample_num_test, num_color_bins: int,
                           color_ignore_index: int,
                           color_target_stride: int):
    """Build one split of Colored MNIST from a source's digits.

    Train digits (and val ones under ``val_protocol='train'``) take their
    class's colour index, except a ``conflict_ratio`` of them; test digits
    take a uniformly drawn one. Each digit gets a colour drawn around that
    index's palette colour with variance ``color_var``. 'lntl_npy' digits
    are already coloured: their colour index is the nearest class mean.
    The keywords are :class:`ColoredMNIST`'s arguments of the same names.

    Returns:
        tuple: (arrays, meta): the split's ``img``, ``gt_label``,
        ``bias_label``, ``color``, ``digit_index`` and ``color_target``, and
        its ``palette`` and all ``split_sizes``.
    """
    parts = partition_digits(source, digits, num_val, sample_num_test,
                             split_seed)
    images, labels, digit_index = parts[split]
    if source == 'lntl_npy':
        palette = class_mean_colors(digits)
        colors = estimate_stroke_colors(images)
        bias = nearest_color_index(colors, palette)
    else:
        rng = make_rng('colored_mnist', data_seed, split)
        aligned = split == 'train' or (split == 'val'
                                       and val_protocol == 'train')
        bias = draw_bias_labels(rng, labels, aligned, conflict_ratio,
                                NUM_CLASSES)
        colors = sample_colors(rng, bias, np.asarray(palette, np.float64),
                               color_var)
        images = colorize_digits(images, colors, stroke_threshold,
                                 soft_color)
    arrays = dict(
        img=images,
        gt_label=labels.astype(np.int64),
        bias_label=bias.astype(np.int64),
        color=colors.astype(np.float32),
        digit_index=digit_index.astype(np.int64),
        color_target=pixel_color_target(images, num_color_bins,
                                         color_ignore_index,
                                         color_target_stride))
    meta = dict(
        palette=np.asarray(palette).tolist(),
        split_sizes={k: int(len(v[1])) for k, v in parts.items()})
    return arrays, meta
