"""LeakageProbeHook's fit_pipeline: fit on training images prepared like
the test images (no random augmentation)."""
import os.path as osp
import sys
import types

import pytest
from mmpretrain.registry import HOOKS

import lnl_mm  # noqa: F401

sys.path.insert(
    0, osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))),
                'test_utils'))
from biased_folder_testutils import write_biased_folder  # noqa: E402

TRAIN_PIPELINE = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=16),
    dict(type='PackInputs', algorithm_keys=('bias_label', )),
]
TEST_PIPELINE = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=16, edge='short'),
    dict(type='PackInputs', algorithm_keys=('bias_label', )),
]


def runner_for(root):
    def dataset(split, pipeline):
        return dict(type='BiasedImageDataset', data_root=root,
                    ann_file=f'meta/{split}.txt', classes=3, bias_classes=3,
                    pipeline=pipeline)

    return types.SimpleNamespace(
        cfg=dict(train_dataloader=dict(dataset=dataset('train',
                                                       TRAIN_PIPELINE)),
                 test_dataloader=dict(dataset=dataset('test',
                                                      TEST_PIPELINE))),
        test_dataloader=types.SimpleNamespace(dataset='the test set'))


def transform_types(dataset):
    return [type(t).__name__ for t in dataset.pipeline.transforms]


@pytest.mark.parametrize('fit_pipeline, expected', [
    (None, ['LoadImageFromFile', 'RandomResizedCrop', 'PackInputs']),
    ('test', ['LoadImageFromFile', 'ResizeEdge', 'PackInputs']),
    ([dict(type='LoadImageFromFile'), dict(type='PackInputs')],
     ['LoadImageFromFile', 'PackInputs']),
])
def test_fit_pipeline_replaces_the_training_pipeline(tmp_path, fit_pipeline,
                                                     expected):
    root, _ = write_biased_folder(tmp_path / 'data')
    hook = HOOKS.build(dict(type='LeakageProbeHook',
                            fit_pipeline=fit_pipeline))
    fit, scored = hook._datasets(runner_for(root))
    assert transform_types(fit) == expected
    assert len(fit) == 12 and scored == 'the test set'


def test_unknown_fit_pipeline_is_refused():
    with pytest.raises(ValueError, match="fit_pipeline='train' is unknown"):
        HOOKS.build(dict(type='LeakageProbeHook', fit_pipeline='train'))
