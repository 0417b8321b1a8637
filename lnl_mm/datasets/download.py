"""Checksum-verified, atomic download of the MNIST IDX files."""
import hashlib
import os
import os.path as osp
import urllib.error
import urllib.request
from typing import List, Optional, Sequence, Tuple

from mmengine.dist import (all_gather_object, broadcast_object_list,
                           get_dist_info)
from mmengine.logging import print_log

from ..utils.atomic_files import atomic_file

#: Mirrors tried in order (the ones torchvision uses).
MNIST_MIRRORS = (
    'https://ossci-datasets.s3.amazonaws.com/mnist/',
    'http://yann.lecun.com/exdb/mnist/',
)
#: (file name, md5) of the four gzipped MNIST files.
MNIST_RESOURCES = (
    ('train-images-idx3-ubyte.gz', 'f68b3c2dcbeaaa9fbdd348bbdeb94873'),
    ('train-labels-idx1-ubyte.gz', 'd53e105ee54ea40749a09fcbcd1e9432'),
    ('t10k-images-idx3-ubyte.gz', '9fb629c4189551a2d022fa330f9573f3'),
    ('t10k-labels-idx1-ubyte.gz', 'ec29112dd5afa0611ce80d1b7f02629c'),
)
#: Seconds to wait for a mirror before trying the next one.
DEFAULT_TIMEOUT = 10.0


class ChecksumError(RuntimeError):
    """A downloaded file did not match its md5."""


def _fetch(url: str, dest: str, md5: str, timeout: float) -> None:
    """Download ``url`` to ``dest`` atomically, refusing a wrong md5.

    The bytes go to a temporary file next to ``dest`` that is renamed only
    after the checksum matched, and removed otherwise.
    """
    with atomic_file(dest) as temp:
        digest = hashlib.md5()
        with open(temp, 'wb') as out, \
                urllib.request.urlopen(url, timeout=timeout) as response:
            for block in iter(lambda: response.read(1 << 16), b''):
                digest.update(block)
                out.write(block)
        if digest.hexdigest() != md5:
            raise ChecksumError(f'{url} has md5 {digest.hexdigest()}, '
                                f'expected {md5}')


def download_mnist(root: str,
                   mirrors: Optional[Sequence[str]] = None,
                   resources: Optional[Sequence[Tuple[str, str]]] = None,
                   timeout: float = DEFAULT_TIMEOUT) -> List[str]:
    """Fetch the missing MNIST IDX files into ``root``.

    Files already present (gzipped or not) are left untouched. Each file is
    tried on every mirror in turn; it is kept only if its md5 matches.

    Args:
        root (str): Target directory, created if needed.
        mirrors (Sequence[str], optional): URL prefixes ending in '/'.
            Defaults to :data:`MNIST_MIRRORS`.
        resources (Sequence[tuple], optional): (file name, md5) pairs.
            Defaults to :data:`MNIST_RESOURCES`.
        timeout (float): Seconds per connection attempt. Defaults to 10.

    Returns:
        list[str]: Paths of the files that were downloaded.

    Raises:
        RuntimeError: If a file could not be fetched with the right md5
            from any mirror (:class:`ChecksumError` if every failure was a
            checksum mismatch).
    """
    mirrors = MNIST_MIRRORS if mirrors is None else tuple(mirrors)
    resources = MNIST_RESOURCES if resources is None else tuple(resources)
    os.makedirs(root, exist_ok=True)
    fetched = []
    for name, md5 in resources:
        dest = osp.join(root, name)
        plain = dest[:-3] if name.endswith('.gz') else dest
        if osp.isfile(dest) or osp.isfile(plain):
            continue
        errors = []
        for mirror in mirrors:
            url = mirror + name
            try:
                print_log(f'Downloading {url} -> {dest}', logger='current')
                _fetch(url, dest, md5, timeout)
                break
            except (urllib.error.URLError, OSError, ChecksumError,
                    ValueError) as err:
                errors.append((err, f'{url}: {err}'))
        else:
            error_cls = ChecksumError if errors and all(
                isinstance(e, ChecksumError) for e, _ in errors) \
                else RuntimeError
            raise error_cls(
                f'Could not download {name} into {osp.abspath(root)!r}: ' +
                '; '.join(msg for _, msg in errors) + '. Check the network '
                'or fetch the four MNIST files by hand into that directory '
                '(names: ' + ', '.join(n for n, _ in resources) +
                '), or use source="sample".')
        fetched.append(dest)
    return fetched


def missing_on_any_rank(missing: bool) -> bool:
    """Whether any process of the launch misses MNIST files.

    Every process must take the same decision before entering the
    collective download (:func:`download_mnist_on_rank0`): a rank that found
    its files while rank 0 did not (rank 0 downloading into a shared folder
    while the other rank looks, or machines without a shared file system)
    would otherwise skip the collective and leave rank 0 waiting forever.
    Without a process group this is ``missing``.
    """
    rank, world_size = get_dist_info()
    if world_size == 1:
        return missing
    return any(all_gather_object(bool(missing)))


def download_mnist_on_rank0(root: str,
                            mirrors: Optional[Sequence[str]] = None,
                            timeout: float = DEFAULT_TIMEOUT) -> None:
    """:func:`download_mnist` by one process of a distributed launch.

    Rank 0 downloads while the other ranks wait for its outcome, so a launch
    makes one attempt however many processes it has; if rank 0 failed,
    every rank raises its error. A rank that still misses files after rank
    0 succeeded (another machine without a shared file system) fetches them
    itself. Without a process group this is :func:`download_mnist`.

    Raises:
        RuntimeError: The download failed (on rank 0).
    """
    rank, world_size = get_dist_info()
    if world_size == 1:
        download_mnist(root, mirrors, timeout=timeout)
        return
    error = None
    if rank == 0:
        try:
            download_mnist(root, mirrors, timeout=timeout)
        except (RuntimeError, OSError) as err:
            error = f'{type(err).__name__}: {err}'
    outcome = [error]
    broadcast_object_list(outcome, src=0)
    if outcome[0] is not None:
        raise RuntimeError(f'rank 0 failed: {outcome[0]}')
    if rank != 0:
        download_mnist(root, mirrors, timeout=timeout)
