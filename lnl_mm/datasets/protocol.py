"""The Colored MNIST protocol: stable seeding, stratified held-out splits and
the choice of each digit's mean colour."""
import hashlib
import json

import numpy as np

#: Splits of :class:`ColoredMNIST`.
SPLITS = ('train', 'val', 'test')
#: How the validation split is coloured: like 'train' or like 'test'.
VAL_PROTOCOLS = ('train', 'test')


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
