import os
import os.path as osp
from typing import List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import MessageHub, MMLogger
from mmpretrain.registry import METRICS

from lnl_mm.evaluation.utils import as_int
from lnl_mm.visualization import plot_bias_grid, plot_confusion_matrix


@METRICS.register_module()
class BiasAccuracy(BaseMetric):
    """Classification accuracy on a benchmark with a known bias.

    Reports, under the prefix ``accuracy/``:

    - ``top1``: top-1 over all samples (on an unbiased test split this is
      the paper's "unbiased accuracy"),
    - ``aligned`` / ``conflicting``: top-1 over samples whose bias agrees /
      disagrees with their label (needs ``bias_aligned`` in the samples),
    - ``worst_class``: the lowest per-class top-1,
    - ``worst_group``: the lowest top-1 over the (class, bias label) groups
      that have samples (needs ``bias_label`` in the samples),

    and, when the model's bias predictor scored the samples
    (``bias_pred_correct`` / ``bias_pred_count``), ``bias_head``: the
    accuracy of the bias predictor.
    It also draws the confusion matrix (rows: true class, each with its mean
    bias colour from ``dataset_meta['palette']`` beside it) to
    ``confusion_matrix_<stage>.png`` in ``out_dir``, and, when the samples
    carry ``bias_label``, may draw the accuracy of every (class, bias label)
    group to ``bias_grid_<stage>.png`` (see ``save_bias_grid``). Any number
    of classes and bias classes works; their names come from
    ``dataset_meta['classes']`` and ``dataset_meta['bias_classes']``.

    Args:
        out_dir (str, optional): Folder for the confusion-matrix PNG. By
            default the Runner's log folder of this run
            (``work_dir/<timestamp>``); with neither, no PNG is written.
        save_confusion_matrix (bool | str): When to write the PNG:
            ``'last'``, after every evaluation except the validations of a
            training before its last epoch (each would overwrite the one
            before it: a training leaves the matrix of its last epoch;
            ``tools/test.py`` draws that of the checkpoint it tests); True
            after every evaluation; False never. Defaults to ``'last'``.
        save_bias_grid (bool | str): Whether to write the class x bias
            accuracy grid: ``'auto'`` when the dataset declares
            ``bias_classes`` other than its ``classes`` (there a confusion
            matrix cannot show the bias), True whenever the samples carry
            ``bias_label``, False never. Defaults to ``'auto'``.
        collect_device (str): Device for collecting results across ranks.
        prefix (str, optional): Prefix of the metric names.
            Defaults to ``'accuracy'``.
    """
    default_prefix = 'accuracy'

    def __init__(self,
                 out_dir: Optional[str] = None,
                 save_confusion_matrix='last',
                 save_bias_grid='auto',
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None):
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.out_dir = out_dir
        if save_confusion_matrix not in (True, False, 'last'):
            raise ValueError(
                f'BiasAccuracy: save_confusion_matrix='
                f"{save_confusion_matrix!r} must be 'last', True or False.")
        self.save_confusion_matrix = save_confusion_matrix
        if save_bias_grid not in (True, False, 'auto'):
            raise ValueError(
                f'BiasAccuracy: save_bias_grid={save_bias_grid!r} must be '
                "True, False or 'auto'.")
        self.save_bias_grid = save_bias_grid

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            result = dict(
                pred=as_int(sample['pred_label']),
                gt=as_int(sample['gt_label']))
            if 'bias_aligned' in sample:
                result['aligned'] = bool(as_int(sample['bias_aligned']))
            if 'bias_label' in sample:
                result['bias'] = as_int(sample['bias_label'])
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
        grid = None
        if all('bias' in r for r in results):
            grid = self._group_grid(gt, correct,
                                    np.array([r['bias'] for r in results]),
                                    num_classes)
            correct_grid, counts = grid
            filled = counts > 0
            metrics['worst_group'] = 100.0 * (correct_grid[filled] /
                                              counts[filled]).min()
        if all('bias_count' in r for r in results):
            total = sum(r['bias_count'] for r in results)
            if total:
                metrics['bias_head'] = 100.0 * sum(
                    r['bias_correct'] for r in results) / total
        matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
        np.add.at(matrix, (gt, pred), 1)
        self._save_confusion_matrix(matrix)
        if grid is not None and self._wants_bias_grid():
            self._save_bias_grid(*grid)
        return metrics

    def _group_grid(self, gt: np.ndarray, correct: np.ndarray,
                    bias: np.ndarray, num_classes: int):
        """``(correct, counts)``, each ``(num_classes, num_bias_classes)``.
        """
        names = (self.dataset_meta or {}).get('bias_classes')
        num_bias = max(len(names) if names else 0, int(bias.max()) + 1)
        counts = np.zeros((num_classes, num_bias), dtype=np.int64)
        correct_grid = np.zeros_like(counts)
        np.add.at(counts, (gt, bias), 1)
        np.add.at(correct_grid, (gt, bias), correct.astype(np.int64))
        return correct_grid, counts

    def _wants_bias_grid(self) -> bool:
        if self.save_bias_grid != 'auto':
            return self.save_bias_grid
        meta = self.dataset_meta or {}
        bias_names = meta.get('bias_classes')
        return bias_names is not None and tuple(bias_names) != tuple(
            meta.get('classes') or ())

    def _num_classes(self, gt: np.ndarray, pred: np.ndarray) -> int:
        # a head with more outputs than the dataset's classes may predict
        # beyond them; count those columns rather than fail
        classes = (self.dataset_meta or {}).get('classes') or ()
        return max(len(classes), int(max(gt.max(), pred.max())) + 1)

    def _output_dir(self) -> Optional[str]:
        if self.out_dir is not None:
            return self.out_dir
        log_file = getattr(MMLogger.get_current_instance(), 'log_file', None)
        return osp.dirname(log_file) if log_file else None

    def _figure_path(self, name: str) -> Optional[str]:
        """``<out_dir>/<name>_<stage>.png`` (None without an out_dir)."""
        out_dir = self._output_dir()
        if out_dir is None:
            return None
        stage = MessageHub.get_current_instance().get_info(
            'loop_stage', 'eval')
        os.makedirs(out_dir, exist_ok=True)
        return osp.join(out_dir, f'{name}_{stage}.png')

    def _save_bias_grid(self, correct: np.ndarray,
                        counts: np.ndarray) -> None:
        path = self._figure_path('bias_grid')
        if path is None:
            return
        meta = self.dataset_meta or {}
        stage = MessageHub.get_current_instance().get_info(
            'loop_stage', 'eval')
        plot_bias_grid(
            correct,
            counts,
            path,
            class_names=meta.get('classes'),
            bias_names=meta.get('bias_classes'),
            aligned=meta.get('bias_alignment'),
            title=f'{stage} accuracy per class and bias label')
        MMLogger.get_current_instance().info(
            f'Saved the {stage} class x bias accuracy grid to {path}')

    def _is_validation_before_last_epoch(self) -> bool:
        """Whether this evaluation validates a training epoch other than
        its last (read from the Runner's message hub)."""
        hub = MessageHub.get_current_instance()
        epoch, max_epochs = hub.get_info('epoch'), hub.get_info('max_epochs')
        return (hub.get_info('loop_stage') == 'val'
                and isinstance(epoch, int) and isinstance(max_epochs, int)
                and epoch + 1 < max_epochs)

    def _save_confusion_matrix(self, matrix: np.ndarray) -> None:
        if not self.save_confusion_matrix or (
                self.save_confusion_matrix == 'last'
                and self._is_validation_before_last_epoch()):
            return
        path = self._figure_path('confusion_matrix')
        if path is None:
            return
        stage = MessageHub.get_current_instance().get_info(
            'loop_stage', 'eval')
        meta = self.dataset_meta or {}
        plot_confusion_matrix(
            matrix,
            path,
            class_names=meta.get('classes'),
            palette=meta.get('palette'),
            title=f'{stage} confusion matrix (rows: true class)')
        MMLogger.get_current_instance().info(
            f'Saved the {stage} confusion matrix to {path}')
