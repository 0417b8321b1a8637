"""Check, before training starts, that the work dir can take the run."""
import os
import os.path as osp
import shutil

import torch.nn as nn

from .atomic_files import discard, temp_path_for
from .errors import WorkDirError

MiB = 2**20
#: An estimate of one checkpoint: the weights, up to two optimizer states
#: per weight (SGD momentum: one, Adam: two) and the log history.
CHECKPOINT_SIZE_FACTOR = 3
CHECKPOINT_OVERHEAD_BYTES = 1 * MiB


def check_writable_dir(path: str, what: str = 'work dir') -> None:
    """Create ``path`` if needed and write (then remove) a file in it.

    Args:
        path (str): The directory.
        what (str): How the message calls it.

    Raises:
        WorkDirError: naming the directory, the OS error and the fix.
    """
    probe = temp_path_for(osp.join(path, 'write_probe'))
    try:
        os.makedirs(path, exist_ok=True)
        with open(probe, 'w') as f:
            f.write('lnl_mm write probe\n')
    except OSError as error:
        raise WorkDirError(
            f"Cannot write to the {what} '{path}': "
            f'{error.strerror or error}. Nothing was trained. Choose a '
            'writable directory with --work-dir (or work_dir= in the '
            'config), or fix its permissions.') from error
    finally:
        discard(probe)


def estimate_checkpoint_bytes(model: nn.Module) -> int:
    """A generous size estimate of one training checkpoint of ``model``."""
    weights = sum(t.numel() * t.element_size()
                  for t in model.state_dict().values())
    return CHECKPOINT_SIZE_FACTOR * weights + CHECKPOINT_OVERHEAD_BYTES


def check_free_space(path: str, needed: int, what: str = 'work dir') -> None:
    """Raise if the file system of ``path`` has less than ``needed`` bytes.

    Raises:
        WorkDirError: naming the directory, the free and the needed space.
    """
    free = shutil.disk_usage(path).free
    if free < needed:
        raise WorkDirError(
            f"Too little free space for a checkpoint in the {what} '{path}':"
            f' {free / MiB:.1f} MiB free, one checkpoint needs about '
            f'{needed / MiB:.1f} MiB. Nothing was trained. Free some space '
            'or choose another --work-dir.')


__all__ = [
    'check_free_space', 'check_writable_dir', 'estimate_checkpoint_bytes'
]
