"""Write files atomically: a temporary file in the same directory, flushed
to disk, then renamed over the final name.

A reader (``--resume``, ``tools/test.py``) therefore sees either the old
file or the complete new one, never a partial file, even if the process is
killed in the middle of a write. Temporary files are named
``.<name>.<pid>.tmp``: hidden, and never matched by ``*.pth`` globs or
pointed to by ``last_checkpoint``.
"""
import contextlib
import os
import os.path as osp
import re
from typing import Iterator, List

TEMP_NAME = re.compile(r'^\.(?P<name>.+)\.(?P<pid>\d+)\.tmp$')


def temp_path_for(path: str) -> str:
    """The temporary file that :func:`commit_file` renames to ``path``."""
    folder, name = osp.split(path)
    return osp.join(folder, f'.{name}.{os.getpid()}.tmp')


def _fsync_dir(folder: str) -> None:
    """Flush a directory entry (the rename) to disk, where supported."""
    try:
        fd = os.open(folder or '.', os.O_RDONLY)
    except OSError:  # e.g. Windows cannot open directories
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def commit_file(temp: str, path: str) -> None:
    """Flush ``temp`` to disk and rename it to ``path`` (atomic on POSIX)."""
    with open(temp, 'rb+') as f:
        os.fsync(f.fileno())
    os.replace(temp, path)
    _fsync_dir(osp.dirname(path))


def discard(path: str) -> None:
    """Remove ``path`` if it exists; never raises."""
    try:
        os.remove(path)
    except OSError:
        pass


@contextlib.contextmanager
def atomic_file(path: str) -> Iterator[str]:
    """Yield a temporary path to write; on success it becomes ``path``.

    If the block raises (or the process dies), ``path`` is untouched and
    the temporary file is removed (or left for
    :func:`remove_stale_temp_files`).
    """
    temp = temp_path_for(path)
    try:
        yield temp
        commit_file(temp, path)
    except BaseException:
        discard(temp)
        raise


def atomic_write_text(path: str, text: str) -> None:
    """Write ``text`` to ``path`` atomically."""
    with atomic_file(path) as temp:
        with open(temp, 'w') as f:
            f.write(text)


def remove_stale_temp_files(folder: str) -> List[str]:
    """Remove temporary files that killed writers left in ``folder``.

    Only names of the form ``.<name>.<pid>.tmp`` whose ``pid`` is not this
    process are removed.

    Returns:
        list[str]: The removed paths.
    """
    removed = []
    if not osp.isdir(folder):
        return removed
    for name in os.listdir(folder):
        match = TEMP_NAME.match(name)
        if match and int(match.group('pid')) != os.getpid():
            path = osp.join(folder, name)
            if osp.isfile(path):
                discard(path)
                removed.append(path)
    return removed


__all__ = [
    'atomic_file', 'atomic_write_text', 'commit_file', 'discard',
    'remove_stale_temp_files', 'temp_path_for'
]
