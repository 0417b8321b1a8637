"""Run a tool's ``main`` from the command line: user errors are printed as
one message (no traceback) and give exit status 1."""
import sys
from typing import Callable, Optional, Sequence

import torch.distributed as torch_dist

from .errors import UserError

USER_ERROR_EXIT_CODE = 1


def abort_distributed() -> None:
    """Leave the process group after an error, without a barrier (another
    rank may not have failed and would never reach it)."""
    if torch_dist.is_available() and torch_dist.is_initialized():
        torch_dist.destroy_process_group()


def run_cli(main: Callable[[Optional[Sequence[str]]], object],
            argv: Optional[Sequence[str]] = None) -> int:
    """Call ``main(argv)``; return the process exit status.

    A :class:`~lnl_mm.utils.errors.UserError` (an unreadable checkpoint, a
    refused resume, a non-finite loss, an unwritable work dir...) is
    printed to stderr as ``ERROR: <message>`` and gives status 1; other
    exceptions propagate with their traceback (they are bugs).
    """
    try:
        main(argv)
    except UserError as error:
        print(f'ERROR: {error}', file=sys.stderr, flush=True)
        abort_distributed()
        return USER_ERROR_EXIT_CODE
    return 0


__all__ = ['USER_ERROR_EXIT_CODE', 'abort_distributed', 'run_cli']
