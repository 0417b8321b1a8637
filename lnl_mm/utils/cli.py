"""Run a tool's ``main`` from the command line: user errors are printed as
one message (no traceback) and give exit status 1."""
import sys
from typing import Callable, Optional, Sequence

from .errors import UserError
from .launch import release_process_group

USER_ERROR_EXIT_CODE = 1


def run_cli(main: Callable[[Optional[Sequence[str]]], object],
            argv: Optional[Sequence[str]] = None) -> int:
    """Call ``main(argv)``; return the process exit status.

    A :class:`~lnl_mm.utils.errors.UserError` (an unreadable checkpoint, a
    refused resume, a non-finite loss, an unwritable work dir...) is
    printed to stderr as ``ERROR: <message>`` and gives status 1; other
    exceptions propagate with their traceback (they are bugs). After a user
    error the process group is left without a barrier (another rank may not
    have failed and would never reach it).
    """
    try:
        main(argv)
    except UserError as error:
        message = f'ERROR: {error}'
    else:
        return 0
    # Only now, with the error and its traceback (whose frames hold the
    # Runner) gone, can the process group be destroyed for real.
    print(message, file=sys.stderr, flush=True)
    release_process_group()
    return USER_ERROR_EXIT_CODE


__all__ = ['USER_ERROR_EXIT_CODE', 'run_cli']
