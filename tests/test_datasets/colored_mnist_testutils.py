"""Helpers of the ColoredMNIST tests: tiny IDX data sets from real digits."""
import gzip
import pathlib

import numpy as np

from lnl_mm.datasets import IDX_FILES

NUM_TRAIN_PER_CLASS = 12
NUM_TEST_PER_CLASS = 4


def tiny_digits(sample_digits):
    """120 training and 40 test real digits (balanced), with labels."""
    labels = sample_digits['labels']
    train_idx, test_idx = [], []
    for cls in range(10):
        members = np.flatnonzero(labels == cls)
        train_idx.extend(members[:NUM_TRAIN_PER_CLASS])
        test_idx.extend(members[NUM_TRAIN_PER_CLASS:NUM_TRAIN_PER_CLASS +
                                NUM_TEST_PER_CLASS])
    train_idx, test_idx = np.array(train_idx), np.array(test_idx)
    return dict(
        train_images=sample_digits['images'][train_idx],
        train_labels=labels[train_idx].astype(np.uint8),
        test_images=sample_digits['images'][test_idx],
        test_labels=labels[test_idx].astype(np.uint8))


def write_idx(path, array):
    """Write a uint8 array as an MNIST-format IDX file (gzipped if the name
    ends in .gz)."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    data = bytes([0, 0, 0x08, array.ndim]) + b''.join(
        int(n).to_bytes(4, 'big') for n in array.shape) + array.tobytes()
    path = pathlib.Path(path)
    path.write_bytes(
        gzip.compress(data, mtime=0) if path.suffix == '.gz' else data)


def write_idx_set(root, digits, gz=False):
    """Write ``digits`` as the four MNIST IDX files in ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    suffix = '.gz' if gz else ''
    for role, name in IDX_FILES.items():
        write_idx(str(root / (name + suffix)), digits[role])
    return root


def snapshot(directory):
    """{relative path: bytes} of every file below ``directory``."""
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob('*')) if p.is_file()
    }


class LogRecorder:
    """Stand-in for ``print_log`` that keeps (message, level) pairs."""

    def __init__(self):
        self.records = []

    def __call__(self, msg, logger=None, level=None):
        self.records.append((msg, level))

    def warnings(self):
        import logging
        return [m for m, lvl in self.records if lvl == logging.WARNING]
