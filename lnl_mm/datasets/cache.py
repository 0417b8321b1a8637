"""A hash-keyed on-disk cache of numpy arrays with atomic writes.

One cache entry is one file: a magic string, a JSON header (key, metadata,
dtype/shape/CRC-32 of every array) and the raw array bytes. Loading checks
the key, the file length and every CRC-32, so a truncated or corrupted file
is reported and rebuilt instead of trusted; it reads at disk speed (no
zip/pickle layer), which keeps a cached 70,000-digit build well under a
second.
"""
import hashlib
import json
import os
import os.path as osp
import zlib
from typing import Dict, Optional, Tuple

import numpy as np
from mmengine.logging import print_log

from ..utils.atomic_files import atomic_file

#: Bumped whenever the generated arrays or this file format change, so old
#: entries are never read by new code.
CACHE_FORMAT_VERSION = 1
_MAGIC = b'LNLMMC01'
_ALIGN = 64
#: Environment variable overriding :func:`default_cache_dir`.
CACHE_ENV = 'LNL_MM_CACHE_DIR'


def default_cache_dir() -> str:
    """``$LNL_MM_CACHE_DIR``, else ``$XDG_CACHE_HOME/lnl_mm``, else
    ``~/.cache/lnl_mm``."""
    if os.environ.get(CACHE_ENV):
        return os.environ[CACHE_ENV]
    base = os.environ.get('XDG_CACHE_HOME') or osp.join(
        osp.expanduser('~'), '.cache')
    return osp.join(base, 'lnl_mm')


def dataset_cache_dir(cache_dir, name: str) -> Optional[str]:
    """Folder of one data set's cache entries: ``<cache_dir>/<name>``, with
    ``cache_dir`` None meaning :func:`default_cache_dir` and False meaning no
    cache (returns None)."""
    if cache_dir is False:
        return None
    base = default_cache_dir() if cache_dir is None else osp.expanduser(
        cache_dir)
    return osp.join(base, name)


def cache_key(**inputs) -> str:
    """SHA-256 over the JSON of ``inputs`` and the cache format version."""
    text = json.dumps(dict(inputs, cache_format=CACHE_FORMAT_VERSION),
                      sort_keys=True, separators=(',', ':'))
    return hashlib.sha256(text.encode()).hexdigest()


def _warn(msg: str) -> None:
    import logging
    print_log(msg, logger='current', level=logging.WARNING)


def _as_bytes(array: np.ndarray) -> memoryview:
    return memoryview(array.reshape(-1).view(np.uint8))


def save_arrays(path: str, key: str, arrays: Dict[str, np.ndarray],
                meta: Optional[dict] = None) -> bool:
    """Write ``arrays`` to ``path`` atomically (temp file + os.replace).

    Returns:
        bool: False (with a warning) if the directory is not writable; the
        caller then simply runs without a cache.
    """
    entries, offset = [], 0
    arrays = {name: np.ascontiguousarray(a) for name, a in arrays.items()}
    for name, array in arrays.items():
        entries.append(
            dict(name=name, dtype=array.dtype.str, shape=list(array.shape),
                 offset=offset, nbytes=array.nbytes,
                 crc32=zlib.crc32(_as_bytes(array))))
        offset += -(-array.nbytes // _ALIGN) * _ALIGN
    header = json.dumps(dict(key=key, meta=meta or {}, arrays=entries,
                             data_bytes=offset)).encode()
    prefix = len(_MAGIC) + 8 + len(header)
    pad = -prefix % _ALIGN
    try:
        os.makedirs(osp.dirname(path) or '.', exist_ok=True)
        with atomic_file(path) as temp, open(temp, 'wb') as f:
            f.write(_MAGIC)
            f.write((len(header) + pad).to_bytes(8, 'little'))
            f.write(header + b' ' * pad)
            for entry, array in zip(entries, arrays.values()):
                f.write(_as_bytes(array))
                f.write(b'\0' * (-array.nbytes % _ALIGN))
        return True
    except OSError as err:
        _warn(f'Could not write the dataset cache {path!r} ({err}); '
              'continuing without it. Pass a writable cache_dir (or set '
              f'${CACHE_ENV}) to enable caching.')
        return False


def load_arrays(path: str,
                key: str) -> Optional[Tuple[Dict[str, np.ndarray], dict]]:
    """Read a cache entry written by :func:`save_arrays`.

    Returns:
        tuple | None: ``(arrays, meta)``, or None if the file does not exist
        or is unusable (wrong key, truncated, failed CRC ...), in which case
        a warning is logged and the caller rebuilds it.
    """
    if not osp.isfile(path):
        return None
    try:
        return _read_entry(path, key)
    except (OSError, ValueError, KeyError, TypeError) as err:
        _warn(f'Ignoring corrupt dataset cache {path!r} ({err}); it will be '
              'rebuilt.')
        return None


def _read_entry(path: str, key: str):
    with open(path, 'rb') as f:
        if f.read(len(_MAGIC)) != _MAGIC:
            raise ValueError('bad magic')
        header_len = int.from_bytes(f.read(8), 'little')
        if header_len > 1 << 24:
            raise ValueError('implausible header length')
        header = json.loads(f.read(header_len))
        if header['key'] != key:
            raise ValueError('key mismatch')
        data_start = f.tell()
        data_bytes = int(header['data_bytes'])
        if os.fstat(f.fileno()).st_size != data_start + data_bytes:
            raise ValueError('file length does not match its header')
        buffer = np.empty(data_bytes, dtype=np.uint8)
        if f.readinto(memoryview(buffer)) != data_bytes:
            raise ValueError('short read')
    arrays = {}
    for entry in header['arrays']:
        raw = buffer[entry['offset']:entry['offset'] + entry['nbytes']]
        if zlib.crc32(memoryview(raw)) != entry['crc32']:
            raise ValueError(f'CRC-32 mismatch in array {entry["name"]!r}')
        arrays[entry['name']] = raw.view(np.dtype(entry['dtype'])).reshape(
            entry['shape'])
    return arrays, header['meta']
