"""The Colored MNIST protocol: argument checks, stable seeding, stratified
held-out splits, the choice of each digit's mean colour and the making of
a split."""
import hashlib
import json
from numbers import Real
from typing import Dict, Sequence

import numpy as np

from .colorize import (NUM_CLASSES, colorize_digits, estimate_stroke_colors,
                       nearest_color_index, pixel_color_target,
                       sample_colors)

#: Splits of :class:`ColoredMNIST`.
SPLITS = ('train', 'val', 'test')
#: How the validation split is coloured: like 'train' or like 'test'.
VAL_PROTOCOLS = ('train', 'test')
#: Default validation sizes: 5,000 of MNIST's 60,000 training digits (the
#: classic 55k/5k split), and 50 of the sample's 400 per class.
DEFAULT_VAL_FRACTION = 1 / 12
DEFAULT_SAMPLE_NUM_VAL = 500


def stable_seed(*parts) -> int:
    """A 128-bit seed from JSON-serialisable parts, by SHA-256: unlike
    Python's ``hash()``, the same on every machine and run."""
    text = json.dumps(parts, sort_keys=True, separators=(',', ':'))
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:16], 'big')


def make_rng(*parts) -> np.random.Generator:
    """A PCG64 generator seeded by :func:`stable_seed` of ``parts``."""
    return np.random.Generator(np.random.PCG64(stable_seed(*parts)))


def stratified_holdout(labels: np.ndarray, num_holdout: int,
                       seed: int) -> np.ndarray:
    """Boolean mask of ``num_holdout`` samples (0 <= n <= N) chosen with
    the class proportions of ``labels`` (N,): per-class quotas proportional
    to the class sizes (largest remainder rounding), random within each
    class, seeded by ``seed`` through :func:`make_rng`."""
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
    """A held-out count from ``spec``, the argument ``what``: a count
    ``0 <= spec < num_total`` or a fraction ``0 <= spec < 1`` of the pool of
    ``num_total`` samples."""
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
    """The index (int64, N) of each digit's mean colour: its class under the
    training protocol (``aligned``), except for a ``conflict_ratio`` that
    gets a random other class; under the test protocol uniform over the
    ``num_classes``, independent of the label."""
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


def check_choice(name: str, value, choices: Sequence[str]) -> str:
    """Return ``value`` if it is one of ``choices``, else raise naming them."""
    if value not in choices:
        raise ValueError(f'{name}={value!r} is unknown; use one of '
                         f'{", ".join(repr(c) for c in choices)}.')
    return value


def check_ratio(name: str, value) -> float:
    """Return ``value`` as float if it is a fraction in [0, 1]."""
    if isinstance(value, bool) or not isinstance(value, Real) \
            or not 0.0 <= value <= 1.0:
        raise ValueError(f'{name}={value!r} must be a fraction in [0, 1].')
    return float(value)


def check_lntl_npy_options(conflict_ratio: float, val_protocol: str,
                           split: str) -> None:
    """Refuse options that would recolour the authors' coloured files."""
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


def partition_digits(source: str, digits: Dict[str, np.ndarray], num_val,
                     sample_num_test, split_seed: int) -> Dict[str, tuple]:
    """{split: (images, labels, index of each digit in its source)}: 'sample'
    digits (one pool) lose a stratified test part first, the other sources
    bring their own; a stratified val part is then held out of the training
    digits. Only ``split_seed`` decides which digits go where."""
    if source == 'sample':
        images, labels = digits['images'], digits['labels']
        num_test = resolve_num_holdout(sample_num_test, len(labels),
                                       'sample_num_test')
        test_mask = stratified_holdout(
            labels, num_test, seed=('sample_test', split_seed))
        pool, test = ((images[i], labels[i], i)
                      for i in (np.flatnonzero(~test_mask),
                                np.flatnonzero(test_mask)))
        default_val = DEFAULT_SAMPLE_NUM_VAL
    else:
        pool, test = ((digits[f'{p}_images'], digits[f'{p}_labels'],
                       np.arange(len(digits[f'{p}_labels'])))
                      for p in ('train', 'test'))
        default_val = DEFAULT_VAL_FRACTION
    spec = default_val if num_val is None else num_val
    num_val = resolve_num_holdout(spec, len(pool[1]), 'num_val')
    val_mask = stratified_holdout(pool[1], num_val, seed=('val', split_seed))
    return dict(
        train=tuple(part[~val_mask] for part in pool),
        val=tuple(part[val_mask] for part in pool),
        test=test)


def class_mean_colors(digits: Dict[str, np.ndarray]) -> np.ndarray:
    """Mean stroke colour of each class (0 for a class without digits) over
    pre-coloured training digits (the authors' files, whose training digits
    are bias-aligned)."""
    colors = estimate_stroke_colors(digits['train_images'])
    members = [colors[digits['train_labels'] == c] for c in range(NUM_CLASSES)]
    return np.array([m.mean(axis=0) if len(m) else np.zeros(3)
                     for m in members])


def generate_colored_split(source: str, digits: Dict[str, np.ndarray], *,
                           split: str, color_var: float, palette,
                           data_seed: int, val_protocol: str,
                           conflict_ratio: float, stroke_threshold: int,
                           soft_color: bool, num_val, split_seed: int,
                           sample_num_test, num_color_bins: int,
                           color_ignore_index: int,
                           color_target_stride: int):
    """One split of Colored MNIST from a source's digits, in memory.

    Train digits (and val ones under ``val_protocol='train'``) take their
    class's colour index, except a ``conflict_ratio`` of them; test digits
    take a uniformly drawn one. Each digit gets a colour drawn around that
    index's palette colour with variance ``color_var``. 'lntl_npy' digits
    are already coloured: their colour index is the nearest class mean.
    The keywords are :class:`ColoredMNIST`'s arguments of the same names.

    Returns the split's arrays (``img``, ``gt_label``, ``bias_label``,
    ``color``, ``digit_index``, ``color_target``) and meta (``palette``, all
    ``split_sizes``).
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
