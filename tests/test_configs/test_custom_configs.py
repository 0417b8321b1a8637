"""configs/{lntl,baseline}_resnet18_custom.py: a biased image folder that the
test writes, pointed at with the documented --cfg-options, trained and
tested (tools/train.py and tools/test.py for LNTL, in process for the
baseline)."""
import json
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config
from mmpretrain.registry import MODELS

import lnl_mm  # noqa: F401
from lnl_mm.utils import build_runner, finalize_dataloaders

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
sys.path.insert(0, osp.join(REPO, 'tests', 'test_utils'))
from biased_folder_testutils import write_biased_folder  # noqa: E402

LNTL = osp.join(REPO, 'configs', 'lntl_resnet18_custom.py')
BASELINE = osp.join(REPO, 'configs', 'baseline_resnet18_custom.py')
SPLITS = ('train', 'val', 'test')


def folder_options(root, num_classes=3, num_bias_classes=2):
    """--cfg-options: the folder for all three splits, the class counts,
    small images (the tests' folders hold 40x48 images) and small batches."""
    options = {}
    for split in SPLITS:
        loader = f'{split}_dataloader'
        options.update({
            f'{loader}.dataset.data_root': str(root),
            f'{loader}.dataset.classes': num_classes,
            f'{loader}.dataset.bias_classes': num_bias_classes,
            f'{loader}.batch_size': 6,
            f'{loader}.num_workers': 0,
        })
    options.update({
        'train_dataloader.dataset.pipeline.1.scale': 32,
        'val_dataloader.dataset.pipeline.1.scale': 36,
        'val_dataloader.dataset.pipeline.2.crop_size': 32,
        'test_dataloader.dataset.pipeline.1.scale': 36,
        'test_dataloader.dataset.pipeline.2.crop_size': 32,
        'model.head.num_classes': num_classes,
        'train_cfg.max_epochs': 2,
    })
    return options


@pytest.mark.parametrize(
    'config', [LNTL, BASELINE], ids=['lntl', 'baseline'])
def test_configs_follow_the_documented_layout(config):
    cfg = Config.fromfile(config)
    assert (cfg.num_classes, cfg.num_bias_classes, cfg.f_stages) == (2, 2, 2)
    for split in SPLITS:
        dataset = cfg[f'{split}_dataloader'].dataset
        assert dataset.type == 'BiasedImageDataset'
        assert dataset.data_root == 'data/custom'
        assert dataset.ann_file == f'meta/{split}.txt'
        assert (dataset.classes, dataset.bias_classes) == (2, 2)
        types = [t['type'] for t in dataset.pipeline]
        assert types == (
            ['LoadImageFromFile', 'RandomResizedCrop', 'RandomFlip',
             'PackInputs'] if split == 'train' else
            ['LoadImageFromFile', 'ResizeEdge', 'CenterCrop', 'PackInputs'])
    assert cfg.model.backbone.type == 'SplitResNet'
    assert cfg.model.backbone.resnet == dict(
        type='ResNet', depth=18, norm_cfg=dict(type='BN'))
    assert cfg.custom_hooks[0].fit_pipeline == 'test'
    model = MODELS.build(cfg.model)  # heads match the backbone's channels
    if config == LNTL:
        assert model.bias_head.in_channels == model.backbone.f_channels
        assert cfg.model_wrapper_cfg.type == 'LNTLDistributedDataParallel'
    else:
        assert type(model).__name__ == 'ImageClassifier'
        assert model.backbone.out_indices == (1, )


def test_f_stages_is_a_config_value_and_a_mismatched_h_is_named():
    cfg = Config.fromfile(LNTL)
    cfg.merge_from_dict({'model.backbone.f_stages': 3})
    with pytest.raises(ValueError, match='model.bias_head.in_channels=256'):
        MODELS.build(cfg.model)
    cfg.merge_from_dict({'model.bias_head.in_channels': 256})
    model = MODELS.build(cfg.model)
    f_map = model.backbone.extract_bias_feat(torch.zeros(2, 3, 64, 64))
    assert f_map.shape == (2, 256, 4, 4)


def run_tool(*args):
    proc = subprocess.run(
        [sys.executable, *args], cwd=REPO, capture_output=True, text=True,
        timeout=300, env=dict(os.environ, OMP_NUM_THREADS='1'))
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    return proc.stdout + proc.stderr


def test_lntl_trains_and_tests_on_a_folder_through_the_tools(tmp_path):
    root, _ = write_biased_folder(tmp_path / 'data', num_classes=3,
                                  num_bias_classes=2,
                                  per_class=dict(train=4, val=2, test=2),
                                  size=(40, 48))
    options = [f'{k}={v}' for k, v in folder_options(root).items()]
    work_dir = tmp_path / 'work'
    log = run_tool('tools/train.py', LNTL, '--work-dir', str(work_dir),
                   '--cfg-options', 'model.pretrain_epochs=1', *options)
    # epoch 1 is the warm-up, epoch 2 unlearns (lambda and mu are on)
    assert 'lambda: 0.0100' in log and 'mu: 0.1000' in log
    assert '12 images from' in log and 'accuracy/worst_group' in log
    metrics_file = tmp_path / 'metrics.json'
    log = run_tool('tools/test.py', LNTL, str(work_dir / 'epoch_2.pth'),
                   '--work-dir', str(work_dir), '--out', str(metrics_file),
                   '--out-item', 'metrics', '--cfg-options', *options)
    metrics = json.loads(metrics_file.read_text())
    for key in ('accuracy/top1', 'accuracy/aligned', 'accuracy/conflicting',
                'accuracy/worst_group', 'accuracy/bias_head',
                'leakage/probe_accuracy'):
        assert 0 <= metrics[key] <= 100, key
    assert metrics['leakage/chance'] == 50.0  # two bias classes
    # 3 classes, 2 bias classes: the class x bias grid is drawn
    grids = [f for _, _, files in os.walk(work_dir) for f in files
             if f == 'bias_grid_test.png']
    assert grids


def test_baseline_trains_and_tests_on_a_folder(tmp_path):
    root, _ = write_biased_folder(tmp_path / 'data', num_classes=3,
                                  num_bias_classes=2,
                                  per_class=dict(train=4, val=2, test=2),
                                  size=(40, 48))
    cfg = Config.fromfile(BASELINE)
    cfg.merge_from_dict(folder_options(root))
    cfg.merge_from_dict({'train_cfg.max_epochs': 1})
    cfg.work_dir = str(tmp_path / 'work')
    cfg.experiment_name = 'baseline_custom_test'
    finalize_dataloaders(cfg)
    runner = build_runner(cfg)
    runner.train()
    metrics = runner.test()
    assert {'accuracy/top1', 'accuracy/worst_group',
            'leakage/probe_accuracy'} <= set(metrics)
    assert 'accuracy/bias_head' not in metrics  # no h in the baseline
    assert osp.exists(osp.join(cfg.work_dir, 'epoch_1.pth'))
