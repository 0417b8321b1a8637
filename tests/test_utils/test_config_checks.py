"""check_dataset_cfgs / check_hook_cfgs (and check_config, which runs them),
the tools' checks of dataset and hook options before anything is written:
every shipped config passes, and what they refuse or leave to the Runner."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

import lnl_mm  # noqa: F401
from lnl_mm.utils import (TRAIN_FIELDS, ConfigError, check_config,
                          check_dataset_cfgs, check_hook_cfgs,
                          finalize_dataloaders)

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs', '*.py')))


@pytest.mark.parametrize('config', CONFIGS, ids=osp.basename)
def test_every_shipped_config_passes(config):
    # the config alone: the folder configs' data (data/custom...) is not
    # in the repository
    cfg = finalize_dataloaders(Config.fromfile(config))
    check_dataset_cfgs(cfg)
    check_hook_cfgs(cfg)
    check_config(cfg, TRAIN_FIELDS, training=True, data_files=False)
    check_config(cfg, ('test_dataloader', ), training=False,
                 data_files=False)


def test_shipped_folder_config_without_its_data_is_refused():
    from lnl_mm.utils import DataFileNotFoundError
    cfg = finalize_dataloaders(Config.fromfile(
        osp.join(REPO, 'configs', 'lntl_resnet18_custom.py')))
    if osp.exists(osp.join(REPO, 'data', 'custom')):
        pytest.skip('data/custom exists here')
    with pytest.raises(DataFileNotFoundError,
                       match=r"^train_dataloader\.dataset "
                       r"\(BiasedImageDataset\): ann_file='meta/train.txt': "
                       r"the annotation file 'data/custom/meta/train.txt' "
                       r"does not exist; data_root='data/custom' does not "
                       'exist'):
        check_config(cfg)


def test_datasets_are_checked_without_reading_data(tmp_path):
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'baseline_cmnist.py'))
    # the data root does not exist and download is off: only a full load
    # would notice
    for field in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[field].dataset.data_root = str(tmp_path / 'missing')
        cfg[field].dataset.source = 'idx'
        cfg[field].dataset.download = False
    check_dataset_cfgs(cfg)
    assert not (tmp_path / 'missing').exists()
    cfg.val_dataloader.dataset.num_color_bins = 5
    with pytest.raises(ConfigError, match=r'^val_dataloader\.dataset '
                       r'\(ColoredMNIST\): num_color_bins=5'):
        check_dataset_cfgs(cfg)
    # only the fields asked for
    check_dataset_cfgs(cfg, ('train_dataloader', 'test_dataloader'))


def test_unknown_types_and_wrappers_are_left_to_the_runner():
    cfg = Config(dict(
        train_dataloader=dict(dataset=dict(type='NoSuchDataset', x=1)),
        val_dataloader=dict(dataset=dict(
            type='RepeatDataset', times=2, dataset=dict(type='Nope'))),
        default_hooks=dict(odd=dict(type='NoSuchHook', y=2))))
    check_dataset_cfgs(cfg)
    check_hook_cfgs(cfg)


def test_hooks_of_other_libraries_are_not_built():
    # VisualizationHook needs a Visualizer instance to be built, and takes
    # **kwargs: it passes; LoggerHook's options are checked by name
    cfg = Config(dict(default_hooks=dict(
        visualization=dict(type='VisualizationHook', enable=False, x=1),
        logger=dict(type='LoggerHook', interval=10))))
    check_hook_cfgs(cfg)
    cfg.default_hooks.logger.log_metrics_by_epoch = True
    with pytest.raises(ConfigError, match="has no option "
                       r"'log_metrics_by_epoch' \(did you mean "
                       r"'log_metric_by_epoch'\?\)"):
        check_hook_cfgs(cfg)
    cfg = Config(dict(custom_hooks=[dict(type='UnlearningStartHook',
                                         modules='bias_head')]))
    with pytest.raises(ConfigError, match='must be a list'):
        check_hook_cfgs(cfg)
