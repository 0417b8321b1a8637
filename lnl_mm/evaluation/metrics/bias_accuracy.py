import os
import os.path as osp
from typing import List, Optional, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import MessageHub, MMLogger
from mmpretrain.registry import METRICS

from lnl_mm.visualization import plot_confusion_matrix


def _as_int(value) -> int:
    if isinstance(value, torch.Tensor):
        return int(value.reshape(-1)[0].item())
    return int(np.asarray(value).reshape(-1)[0])


@METRICS.register_module()
class BiasAccuracy(BaseMetric):
    """Classification accuracy on a benchmark with a known bias.

    Reports, under the prefix ``accuracy/``:

    - ``top1``: top-1 over all samples (on an unbiased test split this is
      the paper's "unbiased accuracy"),
    - ``aligned`` / ``conflicting``: top-1 over samples whose bias agrees /
      disagrees with their label (needs ``bias_aligned`` in the samples),
    - ``worst_class``: the lowest per-class top-1,

    and, when the model's bias predictor scored the samples
    (``bias_pred_correct`` / ``bias_pred_count``), ``bias_head``: the
    accuracy of the bias predictor.
    It also draws the confusion matrix (rows: true class, each with its mean
    bias colour from ``dataset_meta['palette']`` beside it) to
    ``confusion_matrix_<stage>.png`` in ``out_dir``.

    Args:
        out_dir (str, optional): Folder for the confusion-matrix PNG. By
            default the Runner's log folder of this run
            (``work_dir/<timestamp>``); with neither, no PNG is written.
        save_confusion_matrix (bool): Whether to write the PNG.
            Defaults to True.
        collect_device (str): Device for collecting results across ranks.
        prefix (str, optional): Prefix of the metric names.
            Defaults to ``'accuracy'``.
    """
    default_prefix = 'accuracy'

    def __init__(self,
                 out_dir: Optional[str] = None,
                 save_confusion_matrix: bool = True,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None):
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.out_dir = out_dir
        self.save_confusion_matrix = save_confusion_matrix

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            result = dict(
                pred=_as_int(sample['pred_label']),
                gt=_as_int(sample['gt_label']))
            if 'bias_aligned' in sample:
                result['aligned'] = bool(_as_int(sample['bias_aligned']))
            if 'bias_pred_count' in sample:
                result['bias_correct'] = int(sample['bias_pred_correct'])
                result['bias_count'] = int(sample['bias_pred_count'])
            self.results.append(result)

    def compute_metrics(self, results: List[dict]) -> dict:
        pred = np.array([r['pred'] for r in results])
        gt = np.array([r['gt'] for r in results])
        correct = pred == gt
        num_classes = self._num_classes(gt, pred)
        metrics = {'top1': 100.0 * correct.mean()}
        if all('aligned' in r for r in results):
            aligned = np.array([r['aligned'] for r in results])
            for name, mask in (('aligned', aligned),
                               ('conflicting', ~aligned)):
                if mask.any():
                    metrics[name] = 100.0 * correct[mask].mean()
        per_class = [
            correct[gt == c].mean() for c in range(num_classes)
            if (gt == c).any()
        ]
        metrics['worst_class'] = 100.0 * min(per_class)
        if all('bias_count' in r for r in results):
            total = sum(r['bias_count'] for r in results)
            if total:
                metrics['bias_head'] = 100.0 * sum(
                    r['bias_correct'] for r in results) / total
        matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
        np.add.at(matrix, (gt, pred), 1)
        self._save_confusion_matrix(matrix)
        return metrics

    def _num_classes(self, gt: np.ndarray, pred: np.ndarray) -> int:
        classes = (self.dataset_meta or {}).get('classes')
        if classes:
            return len(classes)
        return int(max(gt.max(), pred.max())) + 1

    def _output_dir(self) -> Optional[str]:
        if self.out_dir is not None:
            return self.out_dir
        log_file = getattr(MMLogger.get_current_instance(), 'log_file', None)
        return osp.dirname(log_file) if log_file else None

    def _save_confusion_matrix(self, matrix: np.ndarray) -> None:
        out_dir = self._output_dir()
        if not self.save_confusion_matrix or out_dir is None:
            return
        stage = MessageHub.get_current_instance().get_info(
            'loop_stage', 'eval')
        meta = self.dataset_meta or {}
        os.makedirs(out_dir, exist_ok=True)
        path = osp.join(out_dir, f'confusion_matrix_{stage}.png')
        plot_confusion_matrix(
            matrix,
            path,
            class_names=meta.get('classes'),
            palette=meta.get('palette'),
            title=f'{stage} confusion matrix (rows: true class)')
        MMLogger.get_current_instance().info(
            f'Saved the {stage} confusion matrix to {path}')
