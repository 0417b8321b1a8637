"""Config helpers shared by tools/train.py and tools/test.py."""
import os

from mmengine.config import Config

from lnl_mm.utils import (disable_persistent_workers_without_workers,
                          set_dataloader_defaults, setup_default_scope,
                          setup_work_dir)


def test_default_scope_and_work_dir():
    cfg = Config(dict())
    setup_default_scope(cfg)
    setup_work_dir(cfg, 'configs/lnl_cmnist.py')
    assert cfg.default_scope == 'mmpretrain'
    assert cfg.work_dir == './work_dirs/lnl_cmnist'
    cfg = Config(dict(default_scope='mmengine', work_dir='from_cfg'))
    setup_default_scope(cfg)
    setup_work_dir(cfg, 'configs/lnl_cmnist.py')
    assert (cfg.default_scope, cfg.work_dir) == ('mmengine', 'from_cfg')
    setup_work_dir(cfg, 'configs/lnl_cmnist.py', 'cli')
    assert cfg.work_dir == 'cli'


def test_dataloader_defaults_and_overrides():
    cfg = Config(dict(train_dataloader=dict(batch_size=2, num_workers=2,
                                            pin_memory=False)))
    set_dataloader_defaults(cfg, 'train_dataloader')
    set_dataloader_defaults(cfg, 'val_dataloader')  # absent: skipped
    loader = cfg.train_dataloader
    assert loader.pin_memory is False  # the config's value wins
    assert loader.collate_fn == dict(type='default_collate')
    assert 'persistent_workers' not in loader
    assert cfg.get('val_dataloader') is None

    set_dataloader_defaults(cfg, 'train_dataloader', persistent_workers=True)
    assert cfg.train_dataloader.persistent_workers is True
    set_dataloader_defaults(cfg, 'train_dataloader', pin_memory=True,
                            persistent_workers=False)
    assert cfg.train_dataloader.persistent_workers is False


def test_no_persistent_workers_without_workers():
    cfg = Config(
        dict(
            train_dataloader=dict(num_workers=0, persistent_workers=True),
            val_dataloader=dict(num_workers=2, persistent_workers=True),
            test_dataloader=dict(persistent_workers=True)))
    disable_persistent_workers_without_workers(cfg)
    assert cfg.train_dataloader.persistent_workers is False
    assert cfg.val_dataloader.persistent_workers is True
    assert cfg.test_dataloader.persistent_workers is False


def test_pin_memory_defaults_to_whether_cuda_is_available(monkeypatch):
    for available in (True, False):
        monkeypatch.setattr('torch.cuda.is_available', lambda: available)
        cfg = Config(dict(train_dataloader=dict(batch_size=2)))
        set_dataloader_defaults(cfg, 'train_dataloader')
        assert cfg.train_dataloader.pin_memory is available


def test_auto_num_workers_follows_the_cores_per_process():
    from lnl_mm.utils import auto_num_workers
    assert auto_num_workers(cpus=2, local_world_size=1) == 0
    assert auto_num_workers(cpus=3, local_world_size=1) == 0
    assert auto_num_workers(cpus=4, local_world_size=1) == 2
    assert auto_num_workers(cpus=16, local_world_size=1) == 8
    assert auto_num_workers(cpus=64, local_world_size=2) == 8
    assert auto_num_workers(cpus=16, local_world_size=8) == 0
    assert auto_num_workers(cpus=32, local_world_size=4) == 4


def test_finalize_dataloaders_resolves_auto_and_drops_persistence(
        monkeypatch):
    from lnl_mm.utils import finalize_dataloaders
    monkeypatch.setattr(os, 'sched_getaffinity', lambda pid: {0, 1},
                        raising=False)
    monkeypatch.setattr(os, 'cpu_count', lambda: 2)
    monkeypatch.delenv('LOCAL_WORLD_SIZE', raising=False)
    cfg = Config(
        dict(train_dataloader=dict(num_workers='auto',
                                   persistent_workers=True),
             val_dataloader=dict(num_workers=3, persistent_workers=True),
             test_dataloader=None))
    finalize_dataloaders(cfg)
    assert cfg.train_dataloader.num_workers == 0
    assert cfg.train_dataloader.persistent_workers is False
    assert cfg.val_dataloader.num_workers == 3
    assert cfg.val_dataloader.persistent_workers is True
    monkeypatch.setattr(os, 'sched_getaffinity', lambda pid: set(range(16)),
                        raising=False)
    cfg = Config(dict(train_dataloader=dict(num_workers='auto')))
    finalize_dataloaders(cfg)
    assert cfg.train_dataloader.num_workers == 8
