"""CPU distributed launching: env derivation, gloo init, config edits."""
import os

import pytest
import torch
import torch.distributed as torch_dist
import torch.nn as nn
from dist_testutils import free_port
from mmengine.config import Config
from mmengine.model import (MMDistributedDataParallel,
                            MMSeparateDistributedDataParallel)
from mmpretrain.registry import MODEL_WRAPPERS

from lnl_mm.utils import (dist_env_from_launcher, init_dist_for_device,
                          setup_distributed, teardown_distributed,
                          use_cpu_model_wrapper)

DIST_VARS = ('RANK', 'WORLD_SIZE', 'LOCAL_RANK', 'MASTER_ADDR',
             'MASTER_PORT', 'SLURM_PROCID', 'SLURM_NTASKS', 'SLURM_NODELIST',
             'SLURM_LOCALID', 'OMPI_COMM_WORLD_RANK', 'OMPI_COMM_WORLD_SIZE',
             'OMPI_COMM_WORLD_LOCAL_RANK')


@pytest.fixture
def clean_env(monkeypatch):
    for name in DIST_VARS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_pytorch_env(clean_env):
    clean_env.setenv('RANK', '3')
    clean_env.setenv('WORLD_SIZE', '4')
    clean_env.setenv('MASTER_ADDR', 'node0')
    clean_env.setenv('MASTER_PORT', '1234')
    env = dist_env_from_launcher('pytorch')
    assert env == dict(RANK='3', WORLD_SIZE='4', LOCAL_RANK='0',
                       MASTER_ADDR='node0', MASTER_PORT='1234')


def test_pytorch_env_missing_names_the_variables(clean_env):
    clean_env.setenv('RANK', '0')
    with pytest.raises(KeyError, match='WORLD_SIZE, MASTER_ADDR, MASTER_PORT'):
        dist_env_from_launcher('pytorch')


def test_slurm_env(clean_env):
    clean_env.setenv('SLURM_PROCID', '5')
    clean_env.setenv('SLURM_NTASKS', '8')
    clean_env.setenv('SLURM_NODELIST', 'node[1-2]')
    clean_env.setenv('SLURM_LOCALID', '1')
    clean_env.setenv('MASTER_ADDR', 'node1')  # else scontrol is asked
    env = dist_env_from_launcher('slurm')
    assert env == dict(RANK='5', WORLD_SIZE='8', LOCAL_RANK='1',
                       MASTER_ADDR='node1', MASTER_PORT='29500')


def test_mpi_env(clean_env):
    clean_env.setenv('OMPI_COMM_WORLD_RANK', '1')
    clean_env.setenv('OMPI_COMM_WORLD_SIZE', '2')
    clean_env.setenv('OMPI_COMM_WORLD_LOCAL_RANK', '1')
    clean_env.setenv('MASTER_ADDR', 'host')
    env = dist_env_from_launcher('mpi')
    assert (env['RANK'], env['WORLD_SIZE'], env['LOCAL_RANK']) == ('1', '2',
                                                                   '1')


def test_launcher_none_does_nothing():
    cfg = Config(dict(env_cfg=dict(dist_cfg=dict(backend='nccl'))))
    assert setup_distributed(cfg, 'none') is None
    assert init_dist_for_device('none') is None
    assert cfg.env_cfg.dist_cfg.backend == 'nccl'
    assert not torch_dist.is_initialized()


@pytest.fixture
def one_rank_env(clean_env):
    """torchrun's variables for a world of one process on this machine."""
    clean_env.setenv('RANK', '0')
    clean_env.setenv('WORLD_SIZE', '1')
    clean_env.setenv('MASTER_ADDR', '127.0.0.1')
    clean_env.setenv('MASTER_PORT', str(free_port()))
    return clean_env


@pytest.mark.skipif(torch.cuda.is_available(), reason='CPU-only behaviour')
def test_setup_distributed_starts_gloo_on_cpu(one_rank_env):
    cfg = Config(dict(env_cfg=dict(dist_cfg=dict(backend='nccl',
                                                 timeout=60))))
    try:
        assert setup_distributed(cfg, 'pytorch') == 'gloo'
        assert torch_dist.is_initialized()
        assert torch_dist.get_backend() == 'gloo'
        assert torch_dist.get_world_size() == 1
        assert cfg.env_cfg.dist_cfg == dict(backend='gloo', timeout=60)
        assert cfg.model_wrapper_cfg.type == 'MMDistributedDataParallel'
        assert cfg.model_wrapper_cfg.device_ids is None
        # a second call (e.g. by the Runner) leaves the group alone
        assert init_dist_for_device('pytorch') is None
    finally:
        if torch_dist.is_initialized():
            torch_dist.destroy_process_group()


def os_thread_count():
    """Threads of this process, native ones (gloo's) included."""
    return len(os.listdir('/proc/self/task'))


@pytest.mark.skipif(torch.cuda.is_available(), reason='CPU-only behaviour')
@pytest.mark.skipif(not os.path.isdir('/proc/self/task'),
                    reason='counts threads in /proc')
def test_teardown_joins_gloo_threads_held_by_a_dropped_ddp_model(
        one_rank_env):
    # A dropped DDP model in a reference cycle, as a tool's Runner leaves
    # it, still holds the group; a gloo thread that outlives the tool can
    # abort the process at exit. teardown_distributed must join them all.
    nn.Linear(2, 1)(torch.ones(3, 2)).sum().backward()  # warm thread pools
    threads = os_thread_count()
    try:
        setup_distributed(Config(dict()), 'pytorch')
        model = MMDistributedDataParallel(module=nn.Linear(2, 1))
        model(torch.ones(3, 2)).sum().backward()
        assert os_thread_count() > threads  # gloo's threads run
        cycle = [model]
        cycle.append(cycle)
        del model, cycle
        teardown_distributed()
        assert not torch_dist.is_initialized()
        assert os_thread_count() == threads
    finally:
        if torch_dist.is_initialized():
            torch_dist.destroy_process_group()


@pytest.mark.skipif(torch.cuda.is_available(), reason='CPU-only behaviour')
def test_nccl_refused_on_cpu(clean_env):
    with pytest.raises(ValueError, match='nccl backend needs CUDA'):
        init_dist_for_device('pytorch', backend='nccl')


def test_cpu_model_wrapper_keeps_the_configured_wrapper():
    @MODEL_WRAPPERS.register_module(force=True)
    class ToyDDPWrapper(MMDistributedDataParallel):
        pass

    cfg = Config(dict(model_wrapper_cfg=dict(type='ToyDDPWrapper',
                                             find_unused_parameters=True)))
    use_cpu_model_wrapper(cfg)
    assert cfg.model_wrapper_cfg == dict(
        type='ToyDDPWrapper', find_unused_parameters=True, device_ids=None)

    # not a DistributedDataParallel: the Runner passes no device_ids, nor do we
    @MODEL_WRAPPERS.register_module(force=True)
    class ToyPlainWrapper(torch.nn.Module):
        pass

    cfg = Config(dict(model_wrapper_cfg=dict(type='ToyPlainWrapper')))
    use_cpu_model_wrapper(cfg)
    assert 'device_ids' not in cfg.model_wrapper_cfg
    # a wrapper class object (not a name) is recognised too
    cfg = Config(dict(model_wrapper_cfg=dict(
        type=MMSeparateDistributedDataParallel)))
    use_cpu_model_wrapper(cfg)
    assert cfg.model_wrapper_cfg.device_ids is None
