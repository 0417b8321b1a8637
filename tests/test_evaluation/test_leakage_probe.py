"""The leakage probe: the fitting function and the hook that runs it."""
import types

import pytest
import torch
from mmengine.logging import MessageHub
from mmpretrain.registry import DATASETS, HOOKS, MODELS

import lnl_mm  # noqa: F401
from lnl_mm.evaluation.leakage_probe import fit_leakage_probe
from lnl_mm.models.utils import global_pool


def clusters(num, seed, informative=True):
    gen = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 10, (num, ), generator=gen)
    centres = torch.randn(10, 16, generator=torch.Generator().manual_seed(9))
    feats = torch.randn(num, 16, generator=gen)
    if informative:
        feats = feats + 3 * centres[labels]
    return feats, labels


def test_probe_reads_the_label_from_features_that_carry_it():
    x, y = clusters(600, 0)
    xt, yt = clusters(300, 1)
    result = fit_leakage_probe(x, y, xt, yt, num_classes=10)
    assert result['probe_accuracy'] > 90
    assert result['chance'] == 10.0


def test_probe_is_at_chance_on_noise_and_deterministic():
    x, y = clusters(600, 0, informative=False)
    xt, yt = clusters(2000, 1, informative=False)
    result = fit_leakage_probe(x, y, xt, yt, num_classes=10)
    assert abs(result['probe_accuracy'] - 10.0) < 4
    assert fit_leakage_probe(x, y, xt, yt, num_classes=10) == result
    mlp = fit_leakage_probe(x, y, xt, yt, num_classes=10,
                            hidden_channels=8, max_iter=30)
    assert abs(mlp['probe_accuracy'] - 10.0) < 4


def test_probe_input_errors_and_pooling():
    x, y = clusters(10, 0)
    with pytest.raises(ValueError, match='num_classes'):
        fit_leakage_probe(x, y, x, y, num_classes=5)
    with pytest.raises(ValueError, match='global_pool'):
        fit_leakage_probe(x[:, :, None], y, x, y)
    maps = torch.arange(8.).reshape(1, 2, 2, 2)
    assert global_pool(maps, 'avg').tolist() == [[1.5, 5.5]]
    assert global_pool(maps, 'avgmax').tolist() == [[1.5, 5.5, 3.0, 7.0]]
    with pytest.raises(ValueError, match='avgmax'):
        global_pool(maps, 'sum')


def sample_dataset(split, step):
    pipeline = [dict(type='PackInputs', algorithm_keys=('bias_label', ))]
    return dict(type='ColoredMNIST', split=split, source='sample',
                pipeline=pipeline,
                indices=list(range(0, {'train': 3500, 'test': 1000}[split],
                                   step)))


@pytest.mark.parametrize('erase_colour', [False, True])
def test_hook_adds_probe_metrics_of_f_features(tmp_path, erase_colour):
    """An untrained f keeps the colour (probe far above chance); an f whose
    output carries nothing is at chance. The numbers land in the metrics and
    the logged scalars."""
    torch.manual_seed(0)
    model = MODELS.build(
        dict(type='ImageClassifier',
             backbone=dict(type='LNTLConvNet', out_indices=(1, )),
             head=dict(type='LinearClsHead', num_classes=10,
                       in_channels=64),
             data_preprocessor=dict(type='ClsDataPreprocessor',
                                    mean=[125.] * 3, std=[50.] * 3)))
    model.init_weights()
    if erase_colour:
        model.backbone.extract_bias_feat = \
            lambda x: torch.randn(x.shape[0], 32, 14, 14)
    test_set = DATASETS.build(sample_dataset('test', 5))
    runner = types.SimpleNamespace(
        model=model,
        cfg=dict(train_dataloader=dict(
            dataset=sample_dataset('train', 7))),
        test_dataloader=types.SimpleNamespace(dataset=test_set),
        message_hub=MessageHub.get_instance('leakage_probe_test'))
    hook = HOOKS.build(dict(type='LeakageProbeHook', max_iter=50))
    metrics = {'accuracy/top1': 50.0}
    hook.after_test_epoch(runner, metrics)
    accuracy = metrics['leakage/probe_accuracy']
    assert metrics['accuracy/top1'] == 50.0
    assert runner.message_hub.get_scalar(
        'test/leakage/probe_accuracy').current() == accuracy
    if erase_colour:
        assert accuracy < 20
    else:
        assert accuracy > 50
