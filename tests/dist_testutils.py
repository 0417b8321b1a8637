"""Helpers of the multi-process tests: a free port (``free_port``), spawning
gloo ranks (``spawn_gloo_ranks``), a rank's process group
(``gloo_process_group``) and the marker a rank leaves when its work is done
(``mark_rank_finished``).

torch.distributed's gloo teardown (``destroy_process_group`` and the
process exit that follows it) now and then aborts a rank with SIGABRT
("terminate called without an active exception") after every collective
has completed, depending on which rank closes its sockets first. That
crash says nothing about the code under test, so a rank that aborts *after*
it marked its work finished is reported as a warning; a rank that fails
before its marker (an exception, a hang, a crash during the work) still
fails the test.
"""
import contextlib
import datetime
import os
import os.path as osp
import socket
import warnings

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.multiprocessing.spawn import ProcessExitedException


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def finished_marker(out_dir: str, rank: int) -> str:
    return osp.join(out_dir, f'rank{rank}.finished')


def mark_rank_finished(out_dir: str, rank: int) -> None:
    """Called by a rank once its results are saved, before a last
    ``dist.barrier()`` and ``destroy_process_group``: a rank past that
    barrier knows every rank has its marker."""
    with open(finished_marker(out_dir, rank), 'w'):
        pass


@contextlib.contextmanager
def gloo_process_group(rank, world_size, port, out_dir, timeout_s=120):
    """Run a spawned rank's block inside a one-thread gloo process group on
    127.0.0.1:``port``. A block that ends without an exception marks the
    rank finished and waits at a barrier for the others; the group is
    destroyed in any case. ``timeout_s`` bounds every collective, so a rank
    stuck in one fails the test instead of hanging it."""
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    torch.set_num_threads(1)
    dist.init_process_group(
        'gloo', rank=rank, world_size=world_size,
        timeout=datetime.timedelta(seconds=timeout_s))
    try:
        yield
        mark_rank_finished(out_dir, rank)
        dist.barrier()
    finally:
        dist.destroy_process_group()


def spawn_gloo_ranks(fn, world_size: int, *args, out_dir, env=None):
    """Run ``fn(rank, world_size, port, *args)`` in ``world_size`` spawned
    processes with ``OMP_NUM_THREADS=1`` and ``env`` set for them (restored
    here afterwards). ``fn`` calls :func:`mark_rank_finished` with
    ``out_dir`` when its work is done (:func:`gloo_process_group` does it
    for a block that ends without an exception): a rank killed by a signal
    once every rank has its marker is a teardown crash (warned); anything
    else raises."""
    env = dict(OMP_NUM_THREADS='1', **(env or {}))
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        mp.start_processes(fn, args=(world_size, free_port(), *args),
                           nprocs=world_size, start_method='spawn')
    except ProcessExitedException as err:
        finished = all(
            osp.exists(finished_marker(str(out_dir), r))
            for r in range(world_size))
        if err.signal_name is None or not finished:
            raise
        warnings.warn(
            f'rank {err.error_index} was killed by {err.signal_name} in '
            'torch.distributed teardown, after every rank had finished its '
            'work; the results are checked as usual')
    finally:
        for k, v in old.items():
            os.environ.pop(k) if v is None else os.environ.update({k: v})
