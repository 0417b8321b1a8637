"""Helpers of test_lntl_ddp.py: model, data, and the per-rank worker.

Kept out of the test module so that spawned processes import only this.
"""
import contextlib
import copy
import functools
import os
import traceback

import numpy as np
import torch
import torch.nn.functional as F
from dist_testutils import gloo_process_group

LR, MOMENTUM, WD, LAMBDA, MU = 0.05, 0.9, 5e-4, 0.01, 0.1
#: Iterations of every run, and the per-rank / global batch sizes.
ITERS, RANK_BATCH, WORLD_SIZE = 3, 64, 2
GLOBAL_BATCH = RANK_BATCH * WORLD_SIZE


def build_model(norm: str = 'BN', bias_steps: int = 1):
    """The LNTL model of configs/_base_/models/lntl_convnet.py, seeded."""
    from mmpretrain.registry import MODELS
    import lnl_mm  # noqa: F401
    torch.manual_seed(0)
    model = MODELS.build(
        dict(
            type='LNTLClassifier',
            backbone=dict(type='LNTLConvNet', norm_cfg=dict(type=norm)),
            head=dict(type='LinearClsHead', num_classes=10, in_channels=64),
            bias_head=dict(
                type='BiasPredictionHead', norm_cfg=dict(type=norm)),
            bias_neck=dict(type='GradientReversal', mu=MU),
            entropy_weight=LAMBDA,
            bias_steps=bias_steps,
            data_preprocessor=dict(
                mean=[125.3, 122.9, 113.9], std=[51.6, 50.8, 51.3])))
    model.init_weights()
    return model


def build_optim(model):
    """Two SGD optimizers with momentum and weight decay: a zero (instead of
    missing) gradient would move a parameter."""
    from mmpretrain.registry import OPTIM_WRAPPER_CONSTRUCTORS
    sgd = dict(
        type='OptimWrapper',
        optimizer=dict(type='SGD', lr=LR, momentum=MOMENTUM, weight_decay=WD))
    return OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(
            type='LNTLOptimWrapperConstructor',
            optim_wrapper_cfg=dict(main=sgd, bias=sgd)))(model)


def make_batches():
    """A fresh copy of :func:`_make_batches` (built once per process)."""
    return copy.deepcopy(_make_batches())


@functools.lru_cache(maxsize=None)
def _make_batches():
    """``ITERS`` global batches of ``GLOBAL_BATCH`` Colored-MNIST-like images.

    Each image is one coloured blob of random size on black, so the number
    of scored pixels of ``color_target`` (255 on the background, as in
    ColoredMNIST) differs between samples and between the ranks' halves.
    """
    from mmpretrain.structures import DataSample
    rng = np.random.default_rng(2019)
    yy, xx = np.mgrid[0:28, 0:28]
    batches = []
    for _ in range(ITERS):
        inputs, samples = [], []
        for _ in range(GLOBAL_BATCH):
            cy, cx = rng.uniform(8, 20, size=2)
            ry, rx = rng.uniform(2, 11, size=2)
            mask = ((yy - cy) / ry)**2 + ((xx - cx) / rx)**2 <= 1
            colour = rng.uniform(0.1, 1.0, size=3)
            noise = rng.uniform(0.9, 1.0, size=(3, 28, 28))
            img = (mask[None] * colour[:, None, None] * noise * 255)
            img = img.astype(np.uint8)
            small = img[:, 1::2, 1::2]
            target = (small // 32).astype(np.uint8)
            target[:, ~mask[1::2, 1::2]] = 255
            sample = DataSample().set_gt_label(int(rng.integers(10)))
            sample.set_field(target, 'color_target')
            inputs.append(torch.from_numpy(img))
            samples.append(sample)
        batches.append(dict(inputs=inputs, data_samples=samples))
    return batches


def shard(batch: dict, rank: int, world_size: int) -> dict:
    """Rank ``rank``'s contiguous part of a global batch."""
    n = len(batch['inputs']) // world_size
    part = slice(rank * n, (rank + 1) * n)
    return dict(
        inputs=batch['inputs'][part], data_samples=batch['data_samples'][part])


def g_params(model):
    """The label branch g (backbone.g and the linear head)."""
    return list(model.backbone.g.parameters()) + list(model.head.parameters())


def record_main_steps(model, optim):
    """Wrap the ``main`` optimizer's step; return the list it fills with,
    per call, whether every g gradient is None and whether g moved."""
    calls = []
    optimizer = optim['main'].optimizer
    original = optimizer.step
    params = g_params(model)

    def step(*args, **kwargs):
        grads_none = [p.grad is None for p in params]
        before = [p.detach().clone() for p in params]
        out = original(*args, **kwargs)
        moved = any(not torch.equal(b, p.detach())
                    for b, p in zip(before, params))
        calls.append(dict(grads_none=all(grads_none), moved=moved))
        return out

    optimizer.step = step
    return calls


def per_rank_mean_bias_loss(head, world_size):
    """A ``bias_head.loss`` for one process that averages the masked means
    of ``world_size`` contiguous parts of the batch, as DDP does with the
    per-rank losses (BatchNorm still sees the whole batch)."""

    def loss(feats, data_samples):
        logits = head(feats)
        targets = head.get_targets(data_samples, logits.device)
        n = len(data_samples) // world_size
        total = logits.new_zeros(())
        for r in range(world_size):
            part = slice(r * n, (r + 1) * n)
            for c in range(head.num_channels):
                t = targets[part, c]
                per_pixel = F.cross_entropy(
                    logits[part, c],
                    t,
                    ignore_index=head.ignore_index,
                    reduction='sum')
                scored = (t != head.ignore_index).sum().clamp(min=1)
                total = total + per_pixel / scored
        return dict(loss_bias=head.loss_weight * total / world_size)

    return loss


@contextlib.contextmanager
def default_dtype(dtype: torch.dtype):
    """Build and train in ``dtype`` (float64 runs separate the masked-mean
    effect from float32 rounding). The data preprocessor's mean/std buffers
    follow the default dtype, so the normalised inputs do too."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        yield
    finally:
        torch.set_default_dtype(old)


def train_single(per_rank_mean=False, dtype=torch.float32, bias_steps=1):
    """A reference run: one process, plain BatchNorm, the global batches.

    With ``per_rank_mean`` the bias loss averages the two halves' masked
    means (see :func:`per_rank_mean_bias_loss`) instead of taking the mean
    over all scored pixels of the batch.
    """
    with default_dtype(dtype):
        model = build_model('BN', bias_steps)
        optim = build_optim(model)
        if per_rank_mean:
            model.bias_head.loss = per_rank_mean_bias_loss(
                model.bias_head, WORLD_SIZE)
        calls = record_main_steps(model, optim)
        for batch in make_batches():
            model.train_step(batch, optim)
    return dict(state=_state(model), calls=calls)


def scored_pixels_per_rank():
    """Scored pixels of every (iteration, rank, channel): the weights of the
    per-rank masked means."""
    counts = []
    for batch in make_batches():
        targets = np.stack([s.color_target for s in batch['data_samples']])
        n = len(targets) // WORLD_SIZE
        counts.append([(targets[r * n:(r + 1) * n] != 255).sum((0, 2, 3))
                       for r in range(WORLD_SIZE)])
    return np.asarray(counts)


def _state(model):
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def _run_ddp(rank,
             world_size,
             norm='BN',
             convert_syncbn=False,
             dtype=torch.float32,
             bias_steps=1):
    from lnl_mm.engine.model_wrappers import LNTLDistributedDataParallel
    with default_dtype(dtype):
        model = build_model(norm, bias_steps)
        if convert_syncbn:  # what mmengine's `sync_bn='torch'` does
            model = torch.nn.SyncBatchNorm.convert_sync_batchnorm(model)
        optim = build_optim(model)
        ddp = LNTLDistributedDataParallel(model)
        calls = record_main_steps(model, optim)
        for batch in make_batches():
            ddp.train_step(shard(batch, rank, world_size), optim)
    bn_types = sorted({
        type(m).__name__
        for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm.
                                               _BatchNorm)
    })
    return dict(state=_state(model), calls=calls, bn_types=bn_types)


def _run_plain_mmddp(rank, world_size):
    """Plain MMDistributedDataParallel must refuse and change nothing, both
    with LNTL's two optimizers (``dict_optim``, what the runner builds) and
    with one optimizer over all parameters (``single_optim``, which reaches
    the model's ``mode='loss'`` guard)."""
    from mmengine.model import MMDistributedDataParallel
    from mmengine.optim import OptimWrapper
    results = {}
    for case in ('dict_optim', 'single_optim'):
        model = build_model('BN')
        if case == 'dict_optim':
            optim = build_optim(model)
        else:
            optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=LR))
        before = _state(model)
        ddp = MMDistributedDataParallel(
            module=model, find_unused_parameters=True,
            broadcast_buffers=False)
        batch = shard(make_batches()[0], rank, world_size)
        try:
            ddp.train_step(batch, optim)
        except Exception as e:  # noqa: B902, the test checks the type
            error = (type(e), str(e))
        else:
            error = None
        after = _state(model)
        results[case] = dict(
            error=error,
            unchanged=all(torch.equal(before[k], after[k]) for k in before))
    return results


def _run_reference(rank, world_size, **kwargs):
    return train_single(**kwargs)


#: name -> (function, kwargs) of the scenarios run by every rank, in order.
SCENARIOS = dict(
    bn=(_run_ddp, dict(norm='BN')),
    syncbn=(_run_ddp, dict(norm='SyncBN')),
    syncbn_fp64=(_run_ddp, dict(convert_syncbn=True, dtype=torch.float64)),
    syncbn_fp64_bias_steps2=(_run_ddp,
                             dict(
                                 convert_syncbn=True,
                                 dtype=torch.float64,
                                 bias_steps=2)),
    plain_mmddp=(_run_plain_mmddp, dict()),
)
#: rank -> single-process reference runs it computes after SCENARIOS (the
#: ranks share the work; a process group being up does not affect them).
REFERENCES = {
    0: dict(
        ref_global=dict(),
        ref_global_fp64=dict(dtype=torch.float64)),
    1: dict(
        ref_per_rank_mean_fp64=dict(per_rank_mean=True,
                                    dtype=torch.float64),
        ref_per_rank_mean_fp64_bias_steps2=dict(
            per_rank_mean=True, dtype=torch.float64, bias_steps=2)),
}


def run_worker(rank, world_size, port, out_dir):
    """Entry point of every spawned rank: run all SCENARIOS, save
    ``out_dir/rank{rank}.pt`` (a dict scenario -> result or traceback)."""
    jobs = list(SCENARIOS.items()) + [
        (name, (_run_reference, kwargs))
        for name, kwargs in REFERENCES.get(rank, {}).items()
    ]
    results = {}
    with gloo_process_group(rank, world_size, port, out_dir):
        try:
            for name, (func, kwargs) in jobs:
                try:
                    results[name] = func(rank, world_size, **kwargs)
                except Exception:  # reported by the test, per scenario
                    results[name] = dict(traceback=traceback.format_exc())
                    raise
        finally:
            torch.save(results, os.path.join(out_dir, f'rank{rank}.pt'))
