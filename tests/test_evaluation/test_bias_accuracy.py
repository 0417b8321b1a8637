import os.path as osp

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
