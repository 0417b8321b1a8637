import os.path as osp

import numpy as np
import pytest
import torch

from lnl_mm.evaluation import BiasAccuracy


def sample(gt, pred, aligned, correct=None, count=None):
    s = dict(gt_label=torch.tensor([gt]), pred_label=torch.tensor([pred]),
             bias_aligned=aligned)
    if count is not None:
        s.update(bias_pred_correct=correct, bias_pred_count=count)
    return s


def test_metrics_on_a_hand_made_batch(tmp_path):
    metric = BiasAccuracy(out_dir=str(tmp_path))
    metric.dataset_meta = dict(
        classes=('0', '1', '2'),
        palette=[[1, 0, 0], [0, 1, 0], [0, 0, 1]])
    samples = [
        sample(0, 0, True, 3, 4),   # aligned, right
        sample(0, 1, False, 1, 4),  # conflicting, wrong
        sample(1, 1, False, 0, 2),  # conflicting, right
        sample(2, 0, True, 2, 2),   # aligned, wrong
        sample(2, 2, False, 2, 4),  # conflicting, right
    ]
    metric.process(None, samples)
    results = metric.evaluate(len(samples))
    assert results['accuracy/top1'] == pytest.approx(60.0)
    assert results['accuracy/aligned'] == pytest.approx(50.0)
    assert results['accuracy/conflicting'] == pytest.approx(200 / 3)
    assert results['accuracy/worst_class'] == pytest.approx(50.0)
    assert results['accuracy/bias_head'] == pytest.approx(100 * 8 / 16)
    assert osp.getsize(tmp_path / 'confusion_matrix_eval.png') > 1000


def test_without_bias_fields_only_label_metrics(tmp_path):
    metric = BiasAccuracy(save_confusion_matrix=False)
    metric.process(None, [
        dict(gt_label=torch.tensor([1]), pred_label=torch.tensor([1])),
        dict(gt_label=torch.tensor([0]), pred_label=torch.tensor([1])),
    ])
    results = metric.evaluate(2)
    assert set(results) == {'accuracy/top1', 'accuracy/worst_class'}
    assert results['accuracy/worst_class'] == 0.0


def biased_sample(gt, pred, bias, aligned):
    return dict(gt_label=torch.tensor([gt]), pred_label=torch.tensor([pred]),
                bias_label=bias, bias_aligned=aligned)


def test_any_number_of_classes_and_bias_classes_with_group_metrics(
        tmp_path):
    # 3 classes, 2 bias classes (e.g. indoor/outdoor); class c is aligned
    # with bias c % 2
    metric = BiasAccuracy(out_dir=str(tmp_path))
    metric.dataset_meta = dict(classes=('a', 'b', 'c'),
                               bias_classes=('in', 'out'),
                               bias_alignment=(0, 1, 0))
    samples = [
        biased_sample(0, 0, 0, True),
        biased_sample(0, 0, 0, True),
        biased_sample(0, 1, 1, False),  # group (0, 1): 0 of 1
        biased_sample(1, 1, 1, True),
        biased_sample(1, 1, 0, False),
        biased_sample(2, 2, 0, True),
        biased_sample(2, 0, 1, False),  # group (2, 1): 1 of 2
        biased_sample(2, 2, 1, False),
    ]
    metric.process(None, samples)
    results = metric.evaluate(len(samples))
    assert results['accuracy/top1'] == pytest.approx(75.0)
    assert results['accuracy/aligned'] == pytest.approx(100.0)
    assert results['accuracy/conflicting'] == pytest.approx(50.0)
    assert results['accuracy/worst_class'] == pytest.approx(200 / 3)
    assert results['accuracy/worst_group'] == 0.0
    correct, counts = metric._group_grid(
        np.array([0, 0, 0, 1, 1, 2, 2, 2]),
        np.array([1, 1, 0, 1, 1, 1, 0, 1], bool),
        np.array([0, 0, 1, 1, 0, 0, 1, 1]), 3)
    np.testing.assert_array_equal(counts, [[2, 1], [1, 1], [1, 2]])
    np.testing.assert_array_equal(correct, [[2, 0], [1, 1], [1, 1]])
    # bias classes differ from classes: the grid is drawn beside the matrix
    assert osp.getsize(tmp_path / 'confusion_matrix_eval.png') > 1000
    assert osp.getsize(tmp_path / 'bias_grid_eval.png') > 1000


@pytest.mark.parametrize('setting, drawn', [('auto', False), (True, True),
                                            (False, False)])
def test_bias_grid_setting_when_bias_classes_equal_classes(
        tmp_path, setting, drawn):
    metric = BiasAccuracy(out_dir=str(tmp_path), save_bias_grid=setting)
    metric.dataset_meta = dict(classes=('0', '1'), bias_classes=('0', '1'))
    metric.process(None, [biased_sample(0, 0, 0, True),
                          biased_sample(1, 0, 0, False)])
    results = metric.evaluate(2)
    assert results['accuracy/worst_group'] == 0.0
    assert osp.exists(tmp_path / 'bias_grid_eval.png') == drawn
    with pytest.raises(ValueError, match='save_bias_grid'):
        BiasAccuracy(save_bias_grid='yes')


def test_many_classes_and_predictions_beyond_the_dataset_classes(tmp_path):
    rng = np.random.default_rng(0)
    metric = BiasAccuracy(out_dir=str(tmp_path))
    metric.dataset_meta = dict(classes=tuple(f'c{i}' for i in range(60)),
                               bias_classes=('x', 'y', 'z'))
    gt = rng.integers(0, 60, 300)
    pred = gt.copy()
    pred[:30] = 61  # a head with more outputs than the dataset has classes
    metric.process(None, [
        biased_sample(int(g), int(p), int(g) % 3, True)
        for g, p in zip(gt, pred)
    ])
    results = metric.evaluate(300)
    assert results['accuracy/top1'] == pytest.approx(90.0)
    assert osp.getsize(tmp_path / 'confusion_matrix_eval.png') > 1000
    assert osp.getsize(tmp_path / 'bias_grid_eval.png') > 1000


@pytest.mark.parametrize('setting, epoch, stage, drawn', [
    ('last', 3, 'val', False),   # validation of epoch 4 of 10
    ('last', 9, 'val', True),    # validation of the last epoch
    ('last', 3, 'test', True),   # a test is always drawn
    ('last', None, 'val', True),  # a validation outside a training
    (True, 3, 'val', True),
    (False, 9, 'test', False),
])
def test_confusion_matrix_png_only_where_it_is_kept(tmp_path, setting, epoch,
                                                    stage, drawn):
    from mmengine.logging import MessageHub
    hub = MessageHub.get_instance(f'png_{setting}_{epoch}_{stage}')
    hub.update_info('loop_stage', stage)
    if epoch is not None:
        hub.update_info('epoch', epoch)
        hub.update_info('max_epochs', 10)
    try:
        metric = BiasAccuracy(out_dir=str(tmp_path),
                              save_confusion_matrix=setting)
        metric.dataset_meta = dict(classes=('0', '1'))
        metric.process(None, [sample(0, 0, True), sample(1, 0, False)])
        assert metric.evaluate(2)['accuracy/top1'] == 50.0
        assert osp.exists(tmp_path / f'confusion_matrix_{stage}.png') == drawn
    finally:
        for key in ('loop_stage', 'epoch', 'max_epochs'):
            hub.pop_info(key, None)
    with pytest.raises(ValueError, match='save_confusion_matrix'):
        BiasAccuracy(save_confusion_matrix='every')
