"""tools/visualization/browse_dataset.py writes a PNG grid."""
import importlib.util
import os.path as osp
import sys

import numpy as np

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
BASE_CONFIG = osp.join(REPO, 'configs', '_base_', 'datasets',
                       'colored_mnist.py')


def load_tool():
    path = osp.join(REPO, 'tools', 'visualization', 'browse_dataset.py')
    spec = importlib.util.spec_from_file_location('browse_dataset', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_browse_dataset_writes_png(tmp_path, monkeypatch):
    config = tmp_path / 'cfg.py'
    config.write_text(
        f'_base_ = [{BASE_CONFIG!r}]\n'
        "train_dataloader = dict(dataset=dict(source='sample'))\n"
        "test_dataloader = dict(dataset=dict(source='sample'))\n")
    output = tmp_path / 'out' / 'grid.png'
    monkeypatch.setattr(sys, 'argv', [
        'browse_dataset.py',
        str(config), '--output',
        str(output), '--num-per-class', '3', '--cfg-options',
        'train_dataloader.dataset.color_var=0.03'
    ])
    load_tool().main()
    assert output.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    import matplotlib.image
    image = matplotlib.image.imread(str(output))
    assert image.shape[0] > 200 and image.shape[1] > 400
    assert np.ptp(image[..., :3]) > 0.5  # not blank


def test_base_config_contract():
    from mmengine.config import Config
    cfg = Config.fromfile(BASE_CONFIG)
    assert cfg.dataset_type == 'ColoredMNIST'
    assert cfg.data_preprocessor == dict(
        type='LNTLDataPreprocessor',
        channels_last=True,
        non_blocking=True,
        num_classes=10,
        mean=[0.4914 * 255, 0.4822 * 255, 0.4465 * 255],
        std=[0.2023 * 255, 0.1994 * 255, 0.2010 * 255],
        to_rgb=False)
    splits = dict(train='train', val='val', test='test')
    for stage, split in splits.items():
        loader = cfg[f'{stage}_dataloader']
        assert loader.batch_size == 128 and loader.num_workers == 'auto'
        assert loader.persistent_workers is True
        # training epochs of at least MNIST's 55,000 draws (the sample's
        # epochs as long as MNIST's); val and test read each digit once
        assert loader.sampler == (
            dict(type='EpochLengthSampler', shuffle=True, min_length=55000)
            if stage == 'train' else
            dict(type='DefaultSampler', shuffle=False))
        assert loader.dataset.type == 'ColoredMNIST'
        assert loader.dataset.split == split
        assert loader.dataset.pipeline == [
            dict(
                type='PackInputs',
                algorithm_keys=('bias_label', 'bias_aligned',
                                'color_target'))
        ]
    assert cfg.val_evaluator == dict(type='BiasAccuracy')
    assert cfg.test_evaluator == cfg.val_evaluator
