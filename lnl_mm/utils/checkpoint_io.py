"""Read checkpoint files with errors that say what is wrong with them.

:func:`read_checkpoint` replaces MMEngine's loader of local files
(``CheckpointLoader``'s default scheme, see
:func:`register_checkpoint_loader`), so resume, ``load_from``, testing and
``init_cfg=dict(type='Pretrained')`` all get it. A file that is missing, a
directory, empty, text, truncated, not unpicklable with
``weights_only=True``, or that holds no weights is refused with a
:class:`~lnl_mm.utils.errors.CheckpointError` naming the file and the
problem, instead of torch's low-level error.
"""
import os
import os.path as osp
import pickle
import zipfile
from collections.abc import Mapping
from typing import Optional

import torch
from mmengine.runner.checkpoint import CheckpointLoader

from .checkpoint import (UntrustedCheckpointError, _offending_globals,
                         checkpoint_globals_allowed, unpickling_reason,
                         untrusted_checkpoint_message)
from .errors import CheckpointError

ZIP_MAGIC = b'PK\x03\x04'  # torch.save's default (zip) format
PICKLE_PROTO = 0x80  # first byte of a pickle (torch's legacy format)
_HEAD_BYTES = 24


def _listing(path: str) -> str:
    """Name the checkpoints inside a directory, for the error message."""
    names = sorted(n for n in os.listdir(path) if n.endswith('.pth'))
    if not names:
        return 'it holds no .pth file'
    shown = ', '.join(names[:5]) + (', ...' if len(names) > 5 else '')
    return f'pass one of its files ({shown})'


def _describe_head(head: bytes) -> str:
    """Say what a file that is not a checkpoint starts with."""
    try:
        text = head.decode('utf-8')
    except UnicodeDecodeError:
        text = None
    if text is not None and all(c.isprintable() or c.isspace()
                                for c in text):
        return f'it is a text file (it starts with {text!r})'
    return f'it starts with the bytes {head[:8]!r}'


def file_problem(path: str) -> Optional[str]:
    """Why ``path`` cannot be a checkpoint file, or None if it may be one.

    Checks existence, type, size and the first bytes (a zip archive, the
    format of ``torch.save``, or a legacy pickle); a zip archive must have
    its central directory (a truncated file has not).
    """
    if not osp.exists(path):
        where = '' if osp.isabs(path) else f' (relative to {os.getcwd()})'
        return f'the file does not exist{where}'
    if osp.isdir(path):
        return f'it is a directory, not a checkpoint file; {_listing(path)}'
    if not osp.isfile(path):
        return 'it is not a regular file'
    size = osp.getsize(path)
    if size == 0:
        return ('the file is empty (0 bytes), as left by an interrupted '
                'save or copy')
    with open(path, 'rb') as f:
        head = f.read(_HEAD_BYTES)
    if head.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path):
                pass
        except zipfile.BadZipFile:
            return (f'it is truncated or corrupted: the zip archive of its '
                    f'{size} bytes has no central directory (an interrupted '
                    'save or copy)')
        return None
    if head[0] == PICKLE_PROTO:
        return None
    return (f'it is not a PyTorch checkpoint: {_describe_head(head)}, while '
            "torch.save writes a zip archive (b'PK\\x03\\x04...')")


def content_problem(checkpoint) -> Optional[str]:
    """Why a loaded object is not a checkpoint, or None if it is one.

    A checkpoint is a dict with a ``state_dict`` of tensors (what MMEngine
    saves) or itself a state dict (``torch.save(model.state_dict())``).
    """
    if not isinstance(checkpoint, Mapping):
        return (f'it holds a {type(checkpoint).__name__}, not a checkpoint '
                "(a dict with a 'state_dict', or a state dict)")
    state = checkpoint.get('state_dict', checkpoint)
    if not isinstance(state, Mapping):
        return f"its 'state_dict' is a {type(state).__name__}, not a dict"
    if any(isinstance(v, torch.Tensor) for v in state.values()):
        return None
    if 'state_dict' in checkpoint:
        return "its 'state_dict' holds no tensors (no weights)"
    keys = ', '.join(map(repr, list(checkpoint)[:6]))
    return (f"it has neither a 'state_dict' nor tensors (keys: {keys}); if "
            'the weights are under another key, save that part alone')


def _is_zip(path: str) -> bool:
    with open(path, 'rb') as f:
        return f.read(len(ZIP_MAGIC)) == ZIP_MAGIC


def read_checkpoint(filename: str, map_location=None):
    """Load a local checkpoint with ``torch.load(weights_only=True)``.

    Args:
        filename (str): Path of the file (``~`` is expanded).
        map_location: As for ``torch.load``.

    Returns:
        dict: The checkpoint.

    Raises:
        CheckpointError: The file is not a readable checkpoint; the message
            names the file and the problem.
        UntrustedCheckpointError: It holds a type lnl_mm does not allow.
    """
    path = osp.expanduser(str(filename))
    problem = file_problem(path)
    if problem is None:
        try:
            with checkpoint_globals_allowed():
                checkpoint = torch.load(
                    path, map_location=map_location, weights_only=True)
        except pickle.UnpicklingError as error:
            if _offending_globals(str(error), None):
                raise UntrustedCheckpointError(
                    untrusted_checkpoint_message(error, path)) from error
            problem = ('it cannot be unpickled as a weights-only checkpoint '
                       f'({unpickling_reason(error)})')
            if 'Unsupported operand' in problem and not _is_zip(path):
                problem += ('; it looks like a plain pickle (pickle.dump), '
                            'not a file written by torch.save')
        except (RuntimeError, EOFError, OSError, ValueError, KeyError,
                IndexError, AttributeError, TypeError) as error:
            problem = (f'it cannot be read, it is probably truncated or '
                       f'corrupted ({type(error).__name__}: '
                       f'{unpickling_reason(error)[:300]})')
        else:
            problem = content_problem(checkpoint)
            if problem is None:
                return checkpoint
    raise _refusal(path, problem)


def _refusal(path: str, problem: str) -> CheckpointError:
    return CheckpointError(
        f"Cannot load the checkpoint '{path}': {problem}. Pass a checkpoint "
        'saved by tools/train.py (epoch_*.pth, best_*.pth; '
        '<work_dir>/last_checkpoint names the latest).')


def check_checkpoint_file(filename: str) -> None:
    """Raise :class:`CheckpointError` now if :func:`file_problem` finds one
    (cheap: reads the first bytes and the zip directory, not the weights);
    the tools call it before building the Runner."""
    path = osp.expanduser(str(filename))
    problem = file_problem(path)
    if problem is not None:
        raise _refusal(path, problem)


def check_last_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint ``<work_dir>/last_checkpoint`` names, for ``--resume``.

    Returns:
        str | None: Its path, or None without a pointer (nothing to resume:
        the run starts from scratch, as in MMEngine).

    Raises:
        CheckpointError: The pointer is empty or names a missing file.
    """
    pointer = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(pointer):
        return None
    with open(pointer) as f:
        target = f.read().strip()
    if target and osp.isfile(target):
        return target
    found = sorted(
        n for n in os.listdir(work_dir)
        if n.endswith('.pth') and not n.startswith('best_'))
    hint = (f'the work dir holds {", ".join(found[-3:])}: resume from one '
            f"of them with --resume {osp.join(work_dir, '<name>')}"
            if found else 'the work dir holds no checkpoint to resume from')
    what = f"names '{target}', which does not exist" if target else \
        'is empty'
    raise CheckpointError(
        f"Cannot resume: '{pointer}' {what}. Was the checkpoint moved or "
        f'deleted? Nothing was changed; {hint}.')


def load_local_checkpoint(filename: str, map_location=None):
    """MMEngine ``CheckpointLoader`` scheme for local paths; see
    :func:`read_checkpoint`."""
    return read_checkpoint(filename, map_location)


def register_checkpoint_loader() -> None:
    """Make MMEngine load local checkpoints with :func:`read_checkpoint`.

    Replaces the loader of the default (empty) prefix; URLs and other
    schemes keep MMEngine's loaders. ``CheckpointCheckHook`` calls it before
    the Runner loads anything; call it yourself to use MMEngine's
    ``load_checkpoint`` outside a Runner.
    """
    CheckpointLoader.register_scheme(
        prefixes='', loader=load_local_checkpoint, force=True)


__all__ = [
    'check_checkpoint_file', 'check_last_checkpoint', 'content_problem',
    'file_problem', 'load_local_checkpoint',
    'read_checkpoint', 'register_checkpoint_loader'
]
