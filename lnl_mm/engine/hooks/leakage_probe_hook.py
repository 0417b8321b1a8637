import copy
import time
from typing import Dict, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn as nn
from mmengine.dataset import pseudo_collate
from mmengine.dist import broadcast_object_list, is_main_process
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmpretrain.registry import DATASETS, HOOKS

from lnl_mm.evaluation.leakage_probe import fit_leakage_probe
from lnl_mm.evaluation.utils import as_int
from lnl_mm.models.utils import global_pool
from lnl_mm.utils.errors import ConfigError
from lnl_mm.utils.runner_utils import runner_model


def bias_features(model: nn.Module, inputs: torch.Tensor) -> torch.Tensor:
    """The features the bias is probed in: ``f``'s output.

    ``model.backbone.extract_bias_feat`` when the backbone has it (the
    ``LNTLConvNet`` of LNTL, BlindEye, Baseline and Gray); otherwise the
    first output of ``model.extract_feat``.
    """
    backbone = getattr(model, 'backbone', None)
    if backbone is not None and hasattr(backbone, 'extract_bias_feat'):
        return backbone.extract_bias_feat(inputs)
    feats = model.extract_feat(inputs)
    return feats[0] if isinstance(feats, (tuple, list)) else feats


@torch.no_grad()
def extract_pooled_features(model: nn.Module,
                            dataset,
                            target_key: str = 'bias_label',
                            pool: str = 'avg',
                            batch_size: int = 256,
                            max_samples: Optional[int] = None,
                            seed: int = 0
                            ) -> Tuple[torch.Tensor, torch.Tensor]:
    """Globally pooled bias features and targets of (a subset of) a dataset.

    The samples go through the dataset's own pipeline and the model's data
    preprocessor, in eval mode, one process, no sampler (the same on every
    rank). ``max_samples`` keeps a ``seed``-ed random subset.
    """
    indices = np.arange(len(dataset))
    if max_samples is not None and max_samples < len(indices):
        rng = np.random.default_rng(seed)
        indices = np.sort(rng.choice(indices, max_samples, replace=False))
    was_training = model.training
    model.eval()
    feats, labels = [], []
    try:
        for start in range(0, len(indices), batch_size):
            batch = pseudo_collate(
                [dataset[int(i)] for i in indices[start:start + batch_size]])
            data = model.data_preprocessor(batch, False)
            for sample in data['data_samples']:
                if target_key not in sample:
                    raise KeyError(
                        f'LeakageProbeHook: the samples have no '
                        f'{target_key!r}; add it to the algorithm_keys of '
                        'PackInputs (ColoredMNIST and BiasedImageDataset '
                        'provide bias_label).')
                labels.append(as_int(sample.get(target_key)))
            feats.append(
                global_pool(bias_features(model, data['inputs']),
                            pool).float().cpu())
    finally:
        model.train(was_training)
    return torch.cat(feats), torch.tensor(labels, dtype=torch.long)


@HOOKS.register_module()
class LeakageProbeHook(Hook):
    """After testing, measure how much bias information ``f`` still holds.

    A fresh small classifier (see
    :func:`lnl_mm.evaluation.leakage_probe.fit_leakage_probe`) is fitted on
    the frozen, globally pooled ``f`` features of the training split to
    predict the bias class (``bias_label``), and scored on the test split's
    features. Its accuracy is added to the test metrics as
    ``{prefix}/probe_accuracy`` (with ``probe_train_accuracy`` and
    ``chance``), so it is logged and returned by ``runner.test()`` beside
    :class:`BiasAccuracy`'s numbers; at chance (10% for 10 colours) no
    colour information is left.

    A metric cannot do this (it sees neither the model nor the training
    split), hence a hook. Under distributed testing the probe runs on rank 0
    only, over whole datasets, and its numbers are broadcast to every rank.

    Args:
        fit_dataset (dict, optional): Config of the dataset the probe is
            fitted on. None uses ``train_dataloader.dataset`` of the config
            (with its pipeline, so e.g. Gray's probe sees grey images).
        fit_pipeline (str | Sequence[dict], optional): Replaces the fitting
            dataset's pipeline: ``'test'`` takes the test dataloader's
            dataset pipeline (for training pipelines with random
            augmentation, so the probe is fitted on images prepared like
            the ones it is scored on), a list is used as it is. None keeps
            the fitting dataset's own pipeline. Defaults to None.
        eval_dataset (dict, optional): Config of the dataset it is scored
            on. None uses the test dataloader's dataset.
        target_key (str): Data-sample field of the bias class. Defaults to
            ``'bias_label'``.
        num_classes (int, optional): Bias classes; None infers them from the
            labels. Defaults to 10.
        pool (str): Global pooling of ``f``'s map: ``'avg'``, ``'max'`` or
            ``'avgmax'``. Defaults to ``'avg'``.
        batch_size (int): Batch size of the feature extraction.
            Defaults to 256.
        max_fit_samples (int, optional): Fit on a random subset of at most
            this many training samples (None: all). Defaults to None.
        hidden_channels (int): 0 for logistic regression, else the hidden
            width of an MLP probe. Defaults to 0.
        max_iter (int): L-BFGS iterations of the probe. Defaults to 100.
        weight_decay (float): L2 penalty of the probe. Defaults to 1e-3.
        seed (int): Seed of the probe's initialisation and of the subset.
            Defaults to 0.
        prefix (str): Prefix of the metric names. Defaults to 'leakage'.
    """

    priority = 'NORMAL'  # before LoggerHook (BELOW_NORMAL) logs the epoch

    def __init__(self,
                 fit_dataset: Optional[dict] = None,
                 eval_dataset: Optional[dict] = None,
                 fit_pipeline: Union[str, Sequence[dict], None] = None,
                 target_key: str = 'bias_label',
                 num_classes: Optional[int] = 10,
                 pool: str = 'avg',
                 batch_size: int = 256,
                 max_fit_samples: Optional[int] = None,
                 hidden_channels: int = 0,
                 max_iter: int = 100,
                 weight_decay: float = 1e-3,
                 seed: int = 0,
                 prefix: str = 'leakage'):
        global_pool(torch.zeros(1, 1, 1, 1), pool)  # validates ``pool``
        self.fit_dataset = fit_dataset
        self.eval_dataset = eval_dataset
        if isinstance(fit_pipeline, str) and fit_pipeline != 'test':
            raise ConfigError(
                f'LeakageProbeHook: fit_pipeline={fit_pipeline!r} is unknown; '
                "use 'test', a list of transforms or None.")
        self.fit_pipeline = fit_pipeline
        self.target_key = target_key
        self.num_classes = num_classes
        self.pool = pool
        self.batch_size = batch_size
        self.max_fit_samples = max_fit_samples
        self.probe_cfg = dict(
            hidden_channels=hidden_channels,
            max_iter=max_iter,
            weight_decay=weight_decay,
            seed=seed)
        self.seed = seed
        self.prefix = prefix

    def _datasets(self, runner):
        """The fitting and the scoring dataset."""
        fit_cfg = self.fit_dataset
        if fit_cfg is None:
            loader_cfg = runner.cfg.get('train_dataloader')
            if not loader_cfg or 'dataset' not in loader_cfg:
                raise ConfigError(
                    'LeakageProbeHook needs a training split to fit on: the '
                    'config has no train_dataloader.dataset; set the hook\'s '
                    'fit_dataset.')
            fit_cfg = loader_cfg['dataset']
        fit_cfg = copy.deepcopy(fit_cfg)
        if self.fit_pipeline == 'test':
            test_cfg = runner.cfg.get('test_dataloader') or {}
            if 'pipeline' not in test_cfg.get('dataset', {}):
                raise ConfigError(
                    "LeakageProbeHook: fit_pipeline='test' needs "
                    'test_dataloader.dataset.pipeline in the config; give '
                    'the pipeline as a list instead.')
            fit_cfg['pipeline'] = copy.deepcopy(
                test_cfg['dataset']['pipeline'])
        elif self.fit_pipeline is not None:
            fit_cfg['pipeline'] = copy.deepcopy(list(self.fit_pipeline))
        fit = DATASETS.build(fit_cfg)
        if self.eval_dataset is not None:
            return fit, DATASETS.build(copy.deepcopy(self.eval_dataset))
        return fit, runner.test_dataloader.dataset

    def compute(self, runner) -> Dict[str, float]:
        """Extract features, fit and score the probe; metric name -> value."""
        start = time.time()
        model = runner_model(runner)
        fit_set, eval_set = self._datasets(runner)
        common = dict(
            target_key=self.target_key,
            pool=self.pool,
            batch_size=self.batch_size,
            seed=self.seed)
        train_x, train_y = extract_pooled_features(
            model, fit_set, max_samples=self.max_fit_samples, **common)
        test_x, test_y = extract_pooled_features(model, eval_set, **common)
        result = fit_leakage_probe(
            train_x, train_y, test_x, test_y, num_classes=self.num_classes,
            **self.probe_cfg)
        print_log(
            f'Leakage probe: {result["probe_accuracy"]:.2f}% bias accuracy '
            f'on {len(test_y)} test samples (fitted on {len(train_y)} '
            f'training samples, {train_x.shape[1]}-d {self.pool}-pooled f '
            f'features; chance {result["chance"]:.1f}%), '
            f'{time.time() - start:.1f} s.',
            logger='current')
        return {f'{self.prefix}/{key}': value for key, value in result.items()}

    def after_test_epoch(self,
                         runner,
                         metrics: Optional[Dict[str, float]] = None) -> None:
        """Add the probe's numbers to ``metrics`` (and the logged scalars)."""
        result = [self.compute(runner) if is_main_process() else None]
        broadcast_object_list(result)
        if metrics is not None:
            metrics.update(result[0])
        for key, value in result[0].items():
            runner.message_hub.update_scalar(f'test/{key}', value)
