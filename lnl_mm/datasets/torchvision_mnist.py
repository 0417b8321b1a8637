"""MNIST and its family: the four IDX files of a folder (or of torchvision's
``<folder>/<Name>/raw``), read and downloaded (once a launch) by
torchvision."""
import contextlib
import os
import os.path as osp
import socket
import tempfile
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
import torchvision.datasets as tv_datasets
from mmengine.dist import (all_gather_object, broadcast_object_list,
                           get_dist_info)
from torchvision.datasets.mnist import read_image_file, read_label_file
from torchvision.datasets.utils import extract_archive

from ..utils.errors import DataError

#: Sources in the MNIST file format: name -> torchvision dataset class.
TORCHVISION_SOURCES = dict(idx='MNIST', fashion_mnist='FashionMNIST',
                           kmnist='KMNIST')
#: IDX file names (without ``.gz``) of the four arrays, by role.
IDX_FILES = dict(train_images='train-images-idx3-ubyte',
                 train_labels='train-labels-idx1-ubyte',
                 test_images='t10k-images-idx3-ubyte',
                 test_labels='t10k-labels-idx1-ubyte')


def find_idx_files(root: str, name: str) -> Tuple[str, Dict[str, str]]:
    """(folder, {role: path or None}) of the four IDX files (plain or .gz)
    of torchvision's ``name``: in ``root`` or in ``root/<name>/raw``,
    whichever holds more of them (``root`` on a tie)."""
    candidates = []
    for folder in (root, osp.join(root, name, 'raw')):
        found = {role: next((p for p in (osp.join(folder, file),
                                         osp.join(folder, file + '.gz'))
                             if osp.isfile(p)), None)
                 for role, file in IDX_FILES.items()}
        candidates.append((sum(map(bool, found.values())), folder, found))
    return max(candidates, key=lambda c: c[0])[1:]


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
    labels = np.asarray(labels).reshape(-1)
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


def torchvision_download(name: str, root: str, mirrors: Optional[Sequence],
                         timeout: float, context: str = '') -> None:
    """Fetch torchvision's ``name`` into ``root/<name>/raw`` (md5-checked,
    each mirror tried in turn, ``timeout`` seconds per connection).

    Raises:
        DataError: The download failed; ``context`` (e.g. what data_root
            holds) follows the reason in its message.
    """
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
        reason = ' '.join(str(err).split()).rstrip('.')  # one line
        raise DataError(
            f'Could not download {name} into {osp.abspath(raw)!r}: '
            f'{reason}.{context} Check the network, or copy the four files '
            f'({", ".join(IDX_FILES.values())}, optionally .gz) into that '
            'folder by hand, or set data_root to a folder that holds them, '
            'or use source="sample".') from None
    finally:
        socket.setdefaulttimeout(previous)


def download_once(name: str, root: str, missing: bool,
                  mirrors: Optional[Sequence], timeout: float,
                  context: str = '') -> None:
    """:func:`torchvision_download` once per launch, if any process misses
    files (all must agree before the collectives): rank 0 downloads while
    the others wait for its outcome; if it failed, every rank raises. A rank
    that still misses files after that (no shared file system) fetches them
    itself."""
    rank, world_size = get_dist_info()
    if world_size == 1 or not any(all_gather_object(missing)):
        if missing:
            torchvision_download(name, root, mirrors, timeout, context)
        return
    error = None
    if rank == 0:
        try:
            torchvision_download(name, root, mirrors, timeout, context)
        except RuntimeError as err:
            error = str(err)
    outcome = [error]
    broadcast_object_list(outcome, src=0)
    if outcome[0] is not None:
        raise DataError(f'rank 0 failed: {outcome[0]}')
    if rank != 0 and not all(find_idx_files(root, name)[1].values()):
        torchvision_download(name, root, mirrors, timeout, context)
