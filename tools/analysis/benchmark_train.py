"""Measure training throughput: the Runner against a hand-written loop.

In one process, for one config (baseline or LNTL), it measures:

(a) the Runner's training iterations (``runner.train()`` with the config's
    dataloader, data preprocessor and ``train_step``), warm-up excluded;
(b) a hand-written PyTorch loop with the same modules, losses and
    optimizer settings on the training split pre-tensorised in memory;
(c) the data pipeline alone (dataloader and data preprocessor);
(d) the ratio a / b, the peak resident memory of the process and, on a GPU,
    the peak GPU memory.

(a) and (b) are measured in ``--rounds`` alternating rounds (runner first in
even rounds, loop first in odd ones) and reported as medians, with the
per-round values beside them: the first measurement in a process pays
one-time costs (kernel selection, memory pools) that a single pass would
charge to whichever runs first, and on a shared 2-core machine a single
pass varies by about 10 %.

Validation, checkpoints and the LNTL warm-up (``pretrain_epochs``) are off,
so (a) and (b) time the same step. Example::

    python tools/analysis/benchmark_train.py configs/lnl_cmnist.py \\
        --cfg-options train_dataloader.dataset.source=sample
"""
import argparse
import json
import os.path as osp
import resource
import statistics
import sys
import tempfile
import time

import torch
import torch.nn.functional as F
from mmengine.config import Config, DictAction
from mmengine.hooks import Hook

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
import lnl_mm  # noqa: E402,F401  registers lnl_mm's components
from lnl_mm.models.classifiers.lntl_classifier import \
    detached_parameters  # noqa: E402
from lnl_mm.utils import (build_runner, finalize_dataloaders,  # noqa: E402
                          set_dataloader_defaults, setup_default_scope)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', help='training config')
    parser.add_argument('--iters', type=int, default=60,
                        help='timed iterations of (a), (b) and (c)')
    parser.add_argument('--warmup', type=int, default=10,
                        help='untimed iterations before each measurement')
    parser.add_argument('--rounds', type=int, default=3,
                        help='alternating rounds of (a) and (b); medians '
                        'are reported')
    parser.add_argument('--skip-loop', action='store_true',
                        help='skip the hand-written loop (b)')
    parser.add_argument('--out', help='also write the results as JSON')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='config overrides, as for tools/train.py')
    return parser.parse_args(argv)


def benchmark_config(config: str, cfg_options, iters: int, warmup: int,
                     work_dir: str) -> Config:
    """The config with validation, checkpoints and warm-up epochs off, and
    one training epoch of ``warmup + iters`` iterations: the training split
    is cut to that many batches (``indices``), so no epoch boundary (where
    MMEngine's iteration-based loop sleeps 2 s) falls in the timed window."""
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    setup_default_scope(cfg)
    cfg.work_dir = work_dir
    cfg.train_cfg = dict(by_epoch=True, max_epochs=1, val_interval=10**9)
    dataset = cfg.train_dataloader.dataset
    while isinstance(dataset.get('dataset'), dict):  # dataset wrappers
        dataset = dataset.dataset
    dataset.indices = (warmup + iters) * cfg.train_dataloader.batch_size
    cfg.train_dataloader.drop_last = True
    cfg.val_dataloader = cfg.val_evaluator = cfg.val_cfg = None
    cfg.test_dataloader = cfg.test_evaluator = cfg.test_cfg = None
    cfg.param_scheduler = None
    cfg.custom_hooks = []
    cfg.default_hooks.checkpoint = None
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=10**6)
    cfg.log_level = 'WARNING'
    cfg.visualizer = dict(type='Visualizer', vis_backends=[])
    if 'pretrain_epochs' in cfg.model:
        cfg.model.pretrain_epochs = 0
    set_dataloader_defaults(cfg, 'train_dataloader', persistent_workers=True)
    return finalize_dataloaders(cfg)


class IterClock(Hook):
    """Records the time after every training iteration."""

    def __init__(self):
        self.stamps = []

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        self.stamps.append(time.perf_counter())


def images_per_second(stamps, warmup: int, batch_size: int) -> float:
    timed = stamps[warmup:]
    return (len(timed) - 1) * batch_size / (timed[-1] - timed[0])


def measure_runner(cfg: Config, warmup: int) -> float:
    """(a): images/s of ``runner.train()``."""
    runner = build_runner(cfg)
    clock = IterClock()
    runner.register_hook(clock, priority='LOWEST')
    runner.train()
    return images_per_second(clock.stamps, warmup,
                             cfg.train_dataloader.batch_size)


def measure_pipeline(cfg: Config, iters: int, warmup: int) -> float:
    """(c): images/s of the dataloader plus the data preprocessor."""
    from mmengine.registry import init_default_scope
    from mmengine.runner import Runner
    init_default_scope(cfg.default_scope)
    loader = Runner.build_dataloader(
        cfg.train_dataloader, seed=0, diff_rank_seed=False)
    preprocess = build_model(cfg).data_preprocessor
    if torch.cuda.is_available():
        preprocess = preprocess.cuda()
    stamps, batches = [], iter(loader)
    for _ in range(warmup + iters):
        try:
            batch = next(batches)
        except StopIteration:
            batches = iter(loader)
            batch = next(batches)
        preprocess(batch, True)
        stamps.append(time.perf_counter())
    return images_per_second(stamps, warmup, cfg.train_dataloader.batch_size)


def tensorise(dataset, device):
    """The whole split as tensors: uint8 images, labels, colour targets."""
    items = [dataset[i] for i in range(len(dataset))]
    images = torch.stack([
        torch.as_tensor(item['inputs']) for item in items]).to(device)
    labels = torch.tensor([int(item['data_samples'].gt_label)
                           for item in items], device=device)
    targets = None
    if 'color_target' in items[0]['data_samples']:
        targets = torch.stack([
            torch.as_tensor(item['data_samples'].color_target)
            for item in items]).long().to(device)
    return images, labels, targets


def build_model(cfg: Config):
    """The config's model, with the top-level ``data_preprocessor`` merged
    in as the Runner does."""
    from mmpretrain.registry import MODELS
    model_cfg = cfg.model.copy()
    if cfg.get('data_preprocessor') is not None:
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    return MODELS.build(model_cfg)


def sgd(params, optim_cfg: dict) -> torch.optim.SGD:
    opt = dict(optim_cfg)
    assert opt.pop('type') == 'SGD', 'the loop knows SGD configs only'
    return torch.optim.SGD(params, **opt)


def measure_loop(cfg: Config, iters: int, warmup: int) -> float:
    """(b): images/s of a hand-written loop with the config's modules."""
    from mmpretrain.registry import DATASETS
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    model = build_model(cfg).to(device)
    model.init_weights()
    model.train()
    pre = model.data_preprocessor
    channels_last = getattr(pre, 'channels_last', False)
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    images, labels, targets = tensorise(dataset, device)
    batch_size = cfg.train_dataloader.batch_size
    lntl = hasattr(model, 'bias_head')
    if lntl:
        main_params = list(model.backbone.parameters()) + list(
            model.head.parameters())
        opt_main = sgd(main_params, cfg.optim_wrapper.main.optimizer)
        opt_bias = sgd(model.bias_head.parameters(),
                       cfg.optim_wrapper.bias.optimizer)
        ignore = model.bias_head.ignore_index
    else:
        opt_main = sgd(model.parameters(), cfg.optim_wrapper.optimizer)

    def batches():
        while True:
            for idx in torch.randperm(len(labels), device=device).split(
                    batch_size):
                yield idx

    stamps = []
    for _, idx in zip(range(warmup + iters), batches()):
        x = (images[idx].float() - pre.mean) / pre.std
        if channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        y = labels[idx]
        f_map, g_feat = model.backbone(x)[-2:] if lntl else (
            None, model.backbone(x)[-1])
        loss = F.cross_entropy(model.head.fc(g_feat), y)
        if lntl:
            with detached_parameters(model.bias_head):
                loss = loss + model.entropy_weight * \
                    model.bias_head.uncertainty((f_map, ),
                                                model.uncertainty_loss)
        opt_main.zero_grad(set_to_none=True)
        loss.backward()
        opt_main.step()
        if lntl:
            opt_main.zero_grad(set_to_none=True)
            opt_bias.zero_grad(set_to_none=True)
            feats = model.bias_neck((model.backbone.extract_bias_feat(x), ))
            logits = model.bias_head(feats)
            t = targets[idx]
            loss_b = sum(
                F.cross_entropy(logits[:, c], t[:, c], ignore_index=ignore,
                                reduction='sum') /
                (t[:, c] != ignore).sum().clamp(min=1)
                for c in range(t.shape[1]))
            loss_b.backward()
            opt_main.step()
            opt_bias.step()
        if device == 'cuda':
            torch.cuda.synchronize()
        stamps.append(time.perf_counter())
    return images_per_second(stamps, warmup, batch_size)


def measure_rounds(cfg: Config, args) -> dict:
    """(a), (b) and a / b over ``args.rounds`` alternating rounds: the
    medians, and the per-round values under ``*_rounds``."""
    if args.rounds < 1:
        raise SystemExit(f'--rounds {args.rounds}: must be at least 1')
    runner, loop = [], []
    for index in range(args.rounds):
        order = ['runner', 'loop'] if index % 2 == 0 else ['loop', 'runner']
        for name in order:
            if name == 'runner':
                runner.append(measure_runner(cfg.copy(), args.warmup))
            elif not args.skip_loop:
                loop.append(
                    measure_loop(cfg.copy(), args.iters, args.warmup))
    result = dict(runner_img_s=statistics.median(runner),
                  runner_img_s_rounds=runner)
    if loop:
        ratios = [a / b for a, b in zip(runner, loop)]
        result.update(
            loop_img_s=statistics.median(loop),
            loop_img_s_rounds=loop,
            runner_over_loop=statistics.median(ratios),
            runner_over_loop_rounds=ratios)
    return result


def peak_rss_mib() -> float:
    """Peak resident memory of this process (Linux: ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv=None) -> dict:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix='lnl_mm_bench_') as work_dir:
        cfg = benchmark_config(args.config, args.cfg_options, args.iters,
                               args.warmup, work_dir)
        result = dict(
            config=args.config,
            device=torch.cuda.get_device_name()
            if torch.cuda.is_available() else 'cpu',
            torch_threads=torch.get_num_threads(),
            batch_size=cfg.train_dataloader.batch_size,
            num_workers=cfg.train_dataloader.num_workers,
            iters=args.iters)
        result.update(measure_rounds(cfg, args))
        result['pipeline_img_s'] = measure_pipeline(cfg.copy(), args.iters,
                                                    args.warmup)
        result['peak_rss_mib'] = peak_rss_mib()
        if torch.cuda.is_available():
            result['peak_gpu_mib'] = torch.cuda.max_memory_allocated() / 2**20
    for key, value in result.items():
        if isinstance(value, list):
            value = ' '.join(f'{v:.3f}' for v in value)
        elif isinstance(value, float):
            value = f'{value:.3f}'
        print(f'{key:>23}: {value}')
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=2)
    return result


if __name__ == '__main__':
    main()
