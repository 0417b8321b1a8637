"""What a dataset's ``data_root`` is and holds, for error messages:
file-system checks only (no file is opened)."""
import os
import os.path as osp
from collections import Counter
from typing import Optional

#: Extensions counted as images in :func:`folder_contents`.
IMAGE_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp', '.gif', '.tif', '.tiff',
                    '.webp', '.ppm', '.pgm')


def _kind(entry: os.DirEntry) -> tuple:
    """(singular, plural) of what ``entry`` is."""
    try:
        if entry.is_dir():
            return 'folder', 'folders'
    except OSError:
        pass
    ext = osp.splitext(entry.name)[1].lower()
    if ext in IMAGE_EXTENSIONS:
        name = f'{ext[1:].upper()} image'
        return name, name + 's'
    if ext:
        return f'{ext} file', f'{ext} files'
    return 'file without extension', 'files without extension'


def folder_contents(root: str, max_names: int = 6) -> Optional[str]:
    """What the folder ``root`` holds, counted by kind, with its first
    names: ``'holds 8 PNG images: 0000.png, 0001.png, ... and 2 more'``,
    ``'is empty'``; None if it cannot be listed (missing, a file,
    unreadable)."""
    try:
        with os.scandir(root) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError:
        return None
    if not entries:
        return 'is empty'
    kinds = Counter(_kind(e) for e in entries)
    counted = [f'{n} {kind[0] if n == 1 else kind[1]}' for kind, n in
               sorted(kinds.items(), key=lambda item: (-item[1], item[0]))]
    what = ', '.join(counted[:-1]) + ' and ' + counted[-1] \
        if len(counted) > 1 else counted[0]
    names = [e.name + ('/' if _kind(e)[0] == 'folder' else '')
             for e in entries[:max_names]]
    more = f' and {len(entries) - max_names} more' \
        if len(entries) > max_names else ''
    return f'holds {what}: {", ".join(names)}{more}'


def describe_data_root(root: str) -> str:
    """``"data_root='x' holds ..."`` (see :func:`folder_contents`), or
    that it does not exist or cannot be read."""
    if not osp.exists(root):
        return f'data_root={root!r} does not exist'
    if not osp.isdir(root):
        return f'data_root={root!r} is a file, not a folder'
    contents = folder_contents(root)
    if contents is None:
        return f'data_root={root!r} cannot be read'
    return f'data_root={root!r} {contents}'


def check_data_root(root: str, expected: str, alternatives: str = '') -> None:
    """Refuse (ValueError) a ``data_root`` that is a file or a folder that
    cannot be listed; a missing one passes (a download may create it, or
    the dataset names what is missing in it). ``expected`` says what the
    folder must hold, ``alternatives`` (e.g. ``'; or use ...'``) other
    fixes."""
    if not root or '://' in root or not osp.exists(root):
        return
    if not osp.isdir(root):
        raise ValueError(
            f'data_root={root!r} is a file, not a folder. Set data_root to '
            f'the folder that holds {expected}{alternatives}.')
    try:
        os.listdir(root)
    except OSError as err:
        raise ValueError(
            f'data_root={root!r} cannot be read ({err.strerror}). Make it '
            'readable (e.g. chmod u+rx), or set data_root to another '
            'folder.') from None
