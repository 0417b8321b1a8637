"""Tiny CPU-only components for the tools/utils tests.

Registering them in MMPretrain's registries lets a config (or a ``Runner``
built in a test) use ``ToyClassifier``, ``ToyDataset``, ``ToyAccuracy`` and
``ToyDictOptimWrapperConstructor`` without any real data or GPU. The module is
importable both from pytest (its folder is on ``sys.path``) and from the
processes that ``tools/dist_train.sh`` starts (the tests put the folder on
``PYTHONPATH`` and list the module in ``custom_imports``).
"""
import torch
import torch.nn as nn
from mmengine.evaluator import BaseMetric
from mmengine.model import BaseModel
from mmengine.optim import OptimWrapperDict, build_optim_wrapper
from mmpretrain.registry import (DATASETS, METRICS, MODELS,
                                 OPTIM_WRAPPER_CONSTRUCTORS)
from torch.utils.data import Dataset

NUM_FEATURES = 4
NUM_CLASSES = 3


@DATASETS.register_module(force=True)
class ToyDataset(Dataset):
    """A deterministic in-memory dataset of ``size`` 4-d points, 3 classes.

    Args:
        size (int): Number of samples. Defaults to 16.
        seed (int): Seed of the generator that draws the points.
    """

    def __init__(self, size=16, seed=0):
        gen = torch.Generator().manual_seed(seed)
        self.inputs = torch.randn(size, NUM_FEATURES, generator=gen)
        self.labels = torch.arange(size) % NUM_CLASSES
        # make the labels learnable: shift each class along its own axis
        self.inputs[torch.arange(size), self.labels] += 2.0
        self.metainfo = dict(classes=tuple(range(NUM_CLASSES)))

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, idx):
        return dict(inputs=self.inputs[idx], data_samples=self.labels[idx])


@MODELS.register_module(force=True)
class ToyClassifier(BaseModel):
    """A two-part linear classifier, ``body`` then ``head``.

    With an ``OptimWrapperDict`` (keys ``main`` and ``bias``) it performs two
    updates per iteration, one per optimizer, the way the alternating LNTL
    model does; with a single ``OptimWrapper`` it is a plain classifier.
    """

    def __init__(self, data_preprocessor=None):
        super().__init__(data_preprocessor=data_preprocessor)
        self.body = nn.Linear(NUM_FEATURES, 8)
        self.head = nn.Linear(8, NUM_CLASSES)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        """Return logits ('tensor'), losses ('loss') or predictions."""
        x = torch.stack(inputs) if isinstance(inputs, list) else inputs
        logits = self.head(torch.relu(self.body(x)))
        if mode == 'tensor':
            return logits
        labels = torch.stack(data_samples) if isinstance(
            data_samples, list) else data_samples
        if mode == 'loss':
            return dict(loss=nn.functional.cross_entropy(logits, labels))
        return [
            dict(pred=int(p), gt=int(g))
            for p, g in zip(logits.argmax(1), labels)
        ]

    def train_step(self, data, optim_wrapper):
        """Update with one wrapper, or with ``main`` then ``bias``."""
        if not isinstance(optim_wrapper, OptimWrapperDict):
            return super().train_step(data, optim_wrapper)
        data = self.data_preprocessor(data, True)
        losses = self(**data, mode='loss')
        optim_wrapper['main'].update_params(losses['loss'])
        bias_losses = self(**data, mode='loss')
        optim_wrapper['bias'].update_params(bias_losses['loss'])
        return dict(loss=losses['loss'].detach(),
                    bias_loss=bias_losses['loss'].detach())


@METRICS.register_module(force=True)
class ToyAccuracy(BaseMetric):
    """Top-1 accuracy (in %) of :class:`ToyClassifier` predictions."""

    default_prefix = 'toy'

    def process(self, data_batch, data_samples):
        """Keep one 0/1 hit per sample."""
        self.results.extend(int(s['pred'] == s['gt']) for s in data_samples)

    def compute_metrics(self, results):
        """Return the accuracy over every processed sample."""
        return dict(accuracy=100.0 * sum(results) / max(len(results), 1))


@OPTIM_WRAPPER_CONSTRUCTORS.register_module(force=True)
class ToyDictOptimWrapperConstructor:
    """Build ``OptimWrapperDict(main=..., bias=...)`` for ToyClassifier.

    ``main`` optimises ``body``, ``bias`` optimises ``head``; each sub-config
    is an ordinary optim-wrapper config.
    """

    def __init__(self, optim_wrapper_cfg, paramwise_cfg=None):
        self.optim_wrapper_cfg = optim_wrapper_cfg

    def __call__(self, model):
        model = getattr(model, 'module', model)
        parts = dict(main=model.body, bias=model.head)
        wrappers = {
            key: build_optim_wrapper(part, self.optim_wrapper_cfg[key])
            for key, part in parts.items()
        }
        return OptimWrapperDict(**wrappers)


def toy_cfg_dict(work_dir, dict_optim=False, max_epochs=2):
    """Return a full Runner config (a dict) for the toy components.

    Args:
        work_dir (str): Where the run writes logs and checkpoints.
        dict_optim (bool): Use an ``OptimWrapperDict`` (``main`` and
            ``bias``) with one param-scheduler list per optimizer instead of
            a single ``OptimWrapper``.
        max_epochs (int): Training length; one checkpoint per epoch.
    """
    def loader(seed):
        return dict(
            dataset=dict(type='ToyDataset', size=16, seed=seed),
            sampler=dict(type='DefaultSampler', shuffle=seed == 0),
            batch_size=4,
            num_workers=0)

    cfg = dict(
        custom_imports=dict(
            imports=['lnl_mm', 'lnl_toy_modules'],
            allow_failed_imports=False),
        default_scope='mmpretrain',
        work_dir=str(work_dir),
        model=dict(type='ToyClassifier'),
        train_dataloader=loader(0),
        val_dataloader=loader(1),
        test_dataloader=loader(1),
        val_evaluator=dict(type='ToyAccuracy'),
        test_evaluator=dict(type='ToyAccuracy'),
        train_cfg=dict(by_epoch=True, max_epochs=max_epochs, val_interval=1),
        val_cfg=dict(),
        test_cfg=dict(),
        default_hooks=dict(
            checkpoint=dict(type='CheckpointHook', interval=1),
            logger=dict(type='LoggerHook', interval=1)),
        randomness=dict(seed=0),
        env_cfg=dict(cudnn_benchmark=False, dist_cfg=dict(backend='nccl')),
        log_level='WARNING',
    )
    if dict_optim:
        cfg['optim_wrapper'] = dict(
            constructor='ToyDictOptimWrapperConstructor',
            main=dict(
                type='OptimWrapper',
                optimizer=dict(type='SGD', lr=0.1, momentum=0.9)),
            bias=dict(
                type='OptimWrapper', optimizer=dict(type='Adam', lr=0.01)))
        cfg['param_scheduler'] = dict(
            main=[dict(type='MultiStepLR', milestones=[1], by_epoch=True)],
            bias=[
                dict(type='LinearLR', start_factor=0.5, by_epoch=True,
                     begin=0, end=1),
                dict(type='CosineAnnealingLR', T_max=2, by_epoch=True,
                     begin=1, end=3)
            ])
    else:
        cfg['optim_wrapper'] = dict(
            type='OptimWrapper',
            optimizer=dict(type='SGD', lr=0.1, momentum=0.9))
        cfg['param_scheduler'] = [
            dict(type='MultiStepLR', milestones=[1], by_epoch=True)
        ]
    return cfg


def write_toy_config(path, work_dir, **kwargs):
    """Write :func:`toy_cfg_dict` as a Python config file at ``path``."""
    lines = [
        f'{key} = {value!r}'
        for key, value in toy_cfg_dict(work_dir, **kwargs).items()
    ]
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return str(path)
