"""Helpers of test_split_resnet_ddp.py: LNTL on a tiny SplitResNet with the
per-image bias head, trained by 2 gloo ranks and by one process.

Kept out of the test module so that spawned processes import only this.
"""
import copy
import os
import traceback

import torch
from dist_testutils import gloo_process_group

ITERS, RANK_BATCH, WORLD_SIZE = 2, 4, 2
GLOBAL_BATCH = RANK_BATCH * WORLD_SIZE


def build_model(norm: str):
    """LNTLClassifier on ResNet-18 with 8 base channels, split after 2
    stages, h = BiasClassificationHead; float64, seeded."""
    from mmpretrain.registry import MODELS
    import lnl_mm  # noqa: F401
    torch.manual_seed(0)
    model = MODELS.build(
        dict(
            type='LNTLClassifier',
            backbone=dict(
                type='SplitResNet',
                resnet=dict(type='ResNet', depth=18, stem_channels=8,
                            base_channels=8, norm_cfg=dict(type=norm)),
                f_stages=2),
            head=dict(type='LinearClsHead', num_classes=3, in_channels=64),
            bias_head=dict(type='BiasClassificationHead', in_channels=16,
                           num_classes=2),
            bias_neck=dict(type='GradientReversal', mu=0.5),
            entropy_weight=0.1,
            data_preprocessor=dict(mean=[120.0] * 3, std=[60.0] * 3)))
    model.init_weights()
    return model.double()


def build_optim(model):
    from mmpretrain.registry import OPTIM_WRAPPER_CONSTRUCTORS
    sgd = dict(type='OptimWrapper',
               optimizer=dict(type='SGD', lr=0.05, momentum=0.9,
                              weight_decay=5e-4))
    return OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(type='LNTLOptimWrapperConstructor',
             optim_wrapper_cfg=dict(main=sgd, bias=sgd)))(model)


def make_batches():
    """``ITERS`` global batches of 24x24 images with labels and bias
    labels (float64 inputs via the preprocessor's float64 buffers)."""
    from mmpretrain.structures import DataSample
    gen = torch.Generator().manual_seed(2019)
    batches = []
    for _ in range(ITERS):
        inputs = torch.randint(0, 256, (GLOBAL_BATCH, 3, 24, 24),
                               generator=gen, dtype=torch.uint8)
        labels = torch.randint(0, 3, (GLOBAL_BATCH, ), generator=gen)
        biases = torch.randint(0, 2, (GLOBAL_BATCH, ), generator=gen)
        samples = []
        for label, bias in zip(labels, biases):
            sample = DataSample().set_gt_label(int(label))
            sample.set_field(int(bias), 'bias_label')
            samples.append(sample)
        batches.append(dict(inputs=list(inputs), data_samples=samples))
    return batches


def shard(batch: dict, rank: int) -> dict:
    part = slice(rank * RANK_BATCH, (rank + 1) * RANK_BATCH)
    return dict(inputs=batch['inputs'][part],
                data_samples=batch['data_samples'][part])


def state(model) -> dict:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def train_ddp(rank: int) -> dict:
    """Both ranks, SyncBN (CPUSyncBatchNorm on CPU): rank r trains on the
    r-th half of every global batch through LNTLDistributedDataParallel."""
    from lnl_mm.engine.model_wrappers import LNTLDistributedDataParallel
    model = build_model('SyncBN')
    optim = build_optim(model)
    ddp = LNTLDistributedDataParallel(model)
    for batch in make_batches():
        ddp.train_step(shard(copy.deepcopy(batch), rank), optim)
    return state(model)


def train_single() -> dict:
    """One process, plain BN, the global batches."""
    model = build_model('BN')
    optim = build_optim(model)
    for batch in make_batches():
        model.train_step(copy.deepcopy(batch), optim)
    return state(model)


def run_worker(rank, world_size, port, out_dir):
    results = {}
    with gloo_process_group(rank, world_size, port, out_dir):
        try:
            results['ddp'] = train_ddp(rank)
            if rank == 0:
                results['single'] = train_single()
        except Exception:  # reported by the test
            results['traceback'] = traceback.format_exc()
            raise
        finally:
            torch.save(results, os.path.join(out_dir, f'rank{rank}.pt'))
