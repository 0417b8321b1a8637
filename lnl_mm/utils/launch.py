"""Start distributed runs on machines without CUDA (gloo backend).

MMEngine's launchers (``mmengine.dist.init_dist``) call
``torch.cuda.set_device`` and default to the nccl backend, so on a CPU-only
machine ``--launcher pytorch`` fails before training starts. The tools call
:func:`setup_distributed` before building the ``Runner``: on CPU it creates
the gloo process group itself from the launcher's environment variables;
``Runner.setup_env`` then sees an initialised group and skips ``init_dist``.
With CUDA nothing changes and MMEngine launches as usual.
"""
import datetime
import gc
import os
import subprocess
from typing import Dict, Optional

import torch
import torch.distributed as torch_dist
from mmengine.config import Config
from mmengine.logging import print_log

LAUNCHERS = ('none', 'pytorch', 'slurm', 'mpi')
CPU_BACKEND = 'gloo'
DEFAULT_MASTER_PORT = '29500'


def _require_env(names, launcher):
    """Raise a clear error if any of ``names`` is missing in os.environ."""
    missing = [name for name in names if name not in os.environ]
    if missing:
        raise KeyError(
            f'--launcher {launcher} needs the environment variables '
            f'{", ".join(missing)}; start the tool with torchrun (e.g. '
            'tools/dist_train.sh), srun (tools/slurm_train.sh) or mpirun, or '
            'use --launcher none.')


def _slurm_master_addr(node_list: str) -> str:
    """Return the first host of a Slurm node list (as MMEngine does)."""
    return subprocess.getoutput(
        f'scontrol show hostname {node_list} | head -n1')


def dist_env_from_launcher(launcher: str) -> Dict[str, str]:
    """Fill and return the torch.distributed env vars for ``launcher``.

    * ``pytorch`` (torchrun): ``RANK``, ``WORLD_SIZE``, ``MASTER_ADDR`` and
      ``MASTER_PORT`` must be set; ``LOCAL_RANK`` defaults to 0.
    * ``slurm``: derived from ``SLURM_PROCID``, ``SLURM_NTASKS``,
      ``SLURM_NODELIST`` and ``SLURM_LOCALID``, the way MMEngine does;
      ``MASTER_ADDR`` is the first node unless set, ``MASTER_PORT``
      defaults to 29500.
    * ``mpi``: derived from ``OMPI_COMM_WORLD_{RANK,SIZE,LOCAL_RANK}``;
      ``MASTER_ADDR`` must be set, ``MASTER_PORT`` defaults to 29500.

    Args:
        launcher (str): One of 'pytorch', 'slurm', 'mpi'.

    Returns:
        dict: ``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, ``MASTER_ADDR`` and
        ``MASTER_PORT`` as now set in ``os.environ``.
    """
    env = os.environ
    if launcher == 'pytorch':
        _require_env(('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT'),
                     launcher)
        env.setdefault('LOCAL_RANK', '0')
    elif launcher == 'slurm':
        _require_env(('SLURM_PROCID', 'SLURM_NTASKS', 'SLURM_NODELIST'),
                     launcher)
        env['RANK'] = env['SLURM_PROCID']
        env['WORLD_SIZE'] = env['SLURM_NTASKS']
        env['LOCAL_RANK'] = env.get('SLURM_LOCALID', '0')
        env.setdefault('MASTER_PORT', DEFAULT_MASTER_PORT)
        if 'MASTER_ADDR' not in env:
            env['MASTER_ADDR'] = _slurm_master_addr(env['SLURM_NODELIST'])
    elif launcher == 'mpi':
        _require_env(('OMPI_COMM_WORLD_RANK', 'OMPI_COMM_WORLD_SIZE',
                      'MASTER_ADDR'), launcher)
        env['RANK'] = env['OMPI_COMM_WORLD_RANK']
        env['WORLD_SIZE'] = env['OMPI_COMM_WORLD_SIZE']
        env['LOCAL_RANK'] = env.get('OMPI_COMM_WORLD_LOCAL_RANK', '0')
        env.setdefault('MASTER_PORT', DEFAULT_MASTER_PORT)
    else:
        raise ValueError(f'Unknown launcher {launcher!r}; expected one of '
                         f'{LAUNCHERS}.')
    return {
        key: env[key]
        for key in ('RANK', 'WORLD_SIZE', 'LOCAL_RANK', 'MASTER_ADDR',
                    'MASTER_PORT')
    }


def init_dist_for_device(launcher: str,
                         backend: Optional[str] = None,
                         timeout: Optional[float] = None) -> Optional[str]:
    """Initialise torch.distributed on CPU-only machines.

    Does nothing (returns None) when ``launcher`` is 'none', when a process
    group already exists, or when CUDA is available (MMEngine's own launcher
    then initialises the group from ``env_cfg.dist_cfg``). Otherwise it
    creates the process group from the launcher's environment variables.

    Args:
        launcher (str): 'none', 'pytorch', 'slurm' or 'mpi'.
        backend (str, optional): Backend to use without CUDA. Defaults to
            'gloo', the only CPU backend of a standard torch build.
        timeout (float, optional): Collective timeout in seconds.

    Returns:
        str | None: The backend initialised here, or None if nothing was
        done.
    """
    if launcher == 'none' or torch_dist.is_initialized() \
            or torch.cuda.is_available():
        return None
    backend = backend or CPU_BACKEND
    if backend == 'nccl':
        raise ValueError(
            'The nccl backend needs CUDA, which this machine lacks; use '
            "backend='gloo' for CPU distributed runs.")
    env = dist_env_from_launcher(launcher)
    kwargs = {}
    if timeout is not None:
        kwargs['timeout'] = datetime.timedelta(seconds=timeout)
    torch_dist.init_process_group(
        backend=backend,
        init_method='env://',
        rank=int(env['RANK']),
        world_size=int(env['WORLD_SIZE']),
        **kwargs)
    print_log(
        f'No CUDA device: started the {backend} process group '
        f"(rank {env['RANK']} of {env['WORLD_SIZE']}, master "
        f"{env['MASTER_ADDR']}:{env['MASTER_PORT']}).",
        logger='current')
    return backend


def _wrapper_is_ddp(wrapper_type) -> bool:
    """Whether a ``model_wrapper_cfg`` type is a DistributedDataParallel."""
    from mmengine.registry import MODEL_WRAPPERS as ENGINE_WRAPPERS
    from mmpretrain.registry import MODEL_WRAPPERS
    from torch.nn.parallel import DistributedDataParallel
    if isinstance(wrapper_type, str):
        wrapper_type = MODEL_WRAPPERS.get(wrapper_type) \
            or ENGINE_WRAPPERS.get(wrapper_type)
    return isinstance(wrapper_type, type) and issubclass(
        wrapper_type, DistributedDataParallel)


def use_cpu_model_wrapper(cfg: Config) -> None:
    """Make the DDP model wrapper work on CPU modules.

    The ``Runner`` passes ``device_ids=[LOCAL_RANK]`` to DDP wrappers, which
    torch rejects for CPU modules. This sets ``device_ids=None`` in
    ``cfg.model_wrapper_cfg`` (creating MMEngine's default wrapper config if
    the config has none) while keeping any wrapper type the config chose.

    Args:
        cfg (Config): The config, edited in place.
    """
    wrapper_cfg = cfg.get('model_wrapper_cfg')
    if wrapper_cfg is None:
        cfg.model_wrapper_cfg = dict(
            type='MMDistributedDataParallel',
            device_ids=None,
            broadcast_buffers=False,
            find_unused_parameters=cfg.get('find_unused_parameters', False))
    elif _wrapper_is_ddp(wrapper_cfg.get('type', 'MMDistributedDataParallel')):
        wrapper_cfg['device_ids'] = None


def setup_distributed(cfg: Config, launcher: str) -> Optional[str]:
    """Prepare ``cfg`` and the process group before building the Runner.

    Without CUDA and with a real launcher this starts the gloo process group
    (:func:`init_dist_for_device`), records ``backend='gloo'`` in
    ``cfg.env_cfg.dist_cfg`` and makes the DDP wrapper accept CPU modules.
    With CUDA, or with ``--launcher none``, ``cfg`` is left as it is.

    Args:
        cfg (Config): The config, edited in place.
        launcher (str): The ``--launcher`` argument.

    Returns:
        str | None: The backend started here, or None.
    """
    if launcher == 'none' or torch.cuda.is_available():
        return None
    if cfg.get('env_cfg') is None:
        cfg.env_cfg = dict()
    if cfg.env_cfg.get('dist_cfg') is None:
        cfg.env_cfg.dist_cfg = dict()
    backend = init_dist_for_device(
        launcher, timeout=cfg.env_cfg.dist_cfg.get('timeout'))
    cfg.env_cfg.dist_cfg.backend = CPU_BACKEND
    use_cpu_model_wrapper(cfg)
    return backend


def release_process_group() -> None:
    """Destroy the default process group and join its threads now.

    ``destroy_process_group`` only unregisters the group: the group lives
    on, with gloo's worker threads, while anything still holds it, and a
    Runner does (its DDP wrapper's reducer). A worker thread that frees its
    last finished collective after the interpreter has begun to shut down
    needs the GIL to release the collective's tensors and aborts the
    process (``terminate called without an active exception``), which
    torchrun reports as a failed rank. Collecting the garbage first frees a
    released Runner (it is full of reference cycles), so the group is
    destroyed here and its destructor joins the threads. Call it after the
    tool has dropped its Runner.
    """
    if torch_dist.is_available() and torch_dist.is_initialized():
        gc.collect()
        torch_dist.destroy_process_group()


def teardown_distributed() -> None:
    """Leave the process group cleanly at the end of a tool's run, once
    every rank has finished (see :func:`release_process_group`)."""
    if torch_dist.is_available() and torch_dist.is_initialized():
        torch_dist.barrier()
        release_process_group()
