"""Measure training throughput: the Runner against a hand-written loop,
per phase of the recipe, and what a full-scale run costs.

In one process, for one config, it measures every training phase the
config has: ``train`` for a plain classifier; ``warmup`` (the first
``pretrain_epochs``) and ``unlearning`` for an LNTL config. For each phase:

(a) the Runner's training iterations (``runner.train()`` with the config's
    dataloader, data preprocessor and ``train_step``);
(b) a hand-written PyTorch loop that does the same work as the config's
    ``train_step`` in that phase (phase A; ``h``'s steps alone on one
    detached forward of ``f``, ``warmup_bias_steps`` of them in the warm-up
    and ``bias_steps - 1`` after it; the reversal step after the warm-up),
    on the training split pre-tensorised in memory;
(c) the ratio a / b, from the throughputs and from the median iterations
    (``runner_over_loop_median_iter``): a pause of the host that hits a few
    iterations of one measurement lowers its throughput but not its median
    iteration, so the second ratio is what the Runner costs, up to the
    machine's own drift between the two measurements (on a shared machine,
    up to 10 % from one measurement to the next, seconds apart);
(d) the paired ratio (``runner_over_loop_paired``): the Runner and the loop
    in one process, alternating every ``--pair-block`` iterations (a few
    tenths of a second; :class:`PairedClock`), the ratio of their median
    iterations. A drift of the machine's speed reaches both alike, so this
    is the ratio to read for what the Runner costs per iteration; (a) alone
    gives the seconds per iteration and the prediction below.

With ``--baseline CONFIG`` (e.g. configs/baseline_cmnist.py) the baseline's
``train`` phase is measured in the same rounds, so every phase's cost is
also given relative to a baseline iteration. It then reports the data
pipeline alone (dataloader and data preprocessor), the peak resident memory
(and GPU memory), and a prediction of the config's training time at full
scale: iterations per epoch of ``--full-train-size`` digits (55,000, full
MNIST's training split) times each phase's measured seconds per Runner
iteration times its epochs. Validation and testing are not in it.

Every measurement runs in ``--rounds`` rounds, in an order that rotates from
round to round, and is reported as the median with the per-round values
beside it. Before them, ``--settle-rounds`` untimed rounds (default 1) run
every measurement once and are discarded: the first Runner of a process pays
one-time costs (imports, kernel selection, the allocator's first growth)
that can make its first timed round up to twice as slow as the others. On
a shared 2-core machine a single pass varies by about 10 %.
Validation, checkpoints and custom hooks are off, so (a) and (b) time the
same step. Example::

    python tools/analysis/benchmark_train.py configs/lnl_cmnist.py \\
        --baseline configs/baseline_cmnist.py \\
        --cfg-options train_dataloader.dataset.source=sample
"""
import argparse
import json
import math
import os.path as osp
import resource
import statistics
import sys
import tempfile
import time
from collections import namedtuple

import torch
import torch.nn.functional as F
from mmengine.config import Config, DictAction
from mmengine.hooks import Hook

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
import lnl_mm  # noqa: E402,F401  registers lnl_mm's components
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
    parser.add_argument('--settle-rounds', type=int, default=1,
                        help='untimed rounds of every measurement before '
                        'the timed ones, to absorb the process\'s '
                        'one-time costs')
    parser.add_argument('--skip-loop', action='store_true',
                        help='skip the hand-written loop (b) and the '
                        'paired measurement (d)')
    parser.add_argument('--pair-block', type=int, default=10,
                        help='iterations of the Runner and of the loop '
                        'that alternate in the paired measurement (d)')
    parser.add_argument('--baseline',
                        help='a plain-classifier config whose iteration is '
                        'measured in the same rounds, as the unit of cost')
    parser.add_argument('--full-train-size', type=int, default=55000,
                        help='training digits of the full-scale run that '
                        'the prediction is for (default: full MNIST)')
    parser.add_argument('--out', help='also write the results as JSON')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='config overrides, as for tools/train.py')
    return parser.parse_args(argv)


def training_phases(cfg: Config) -> list:
    """The phases of the config's training: ``['train']`` for a plain
    classifier, ``['warmup', 'unlearning']`` for an LNTL config with a
    warm-up, ``['unlearning']`` without."""
    if 'bias_head' not in cfg.model:
        return ['train']
    if cfg.model.get('pretrain_epochs'):
        return ['warmup', 'unlearning']
    return ['unlearning']


def benchmark_config(config: str, cfg_options, iters: int, warmup: int,
                     work_dir: str, phase: str = None) -> Config:
    """The config set up to time ``phase`` (default: its last phase):
    validation, checkpoints and custom hooks off, and one training epoch of
    ``warmup + iters`` iterations: the training split is cut to that many
    batches (``indices``), so no epoch boundary (where MMEngine's
    iteration-based loop sleeps 2 s) falls in the timed window. The epoch is
    a warm-up epoch for ``phase='warmup'`` (``pretrain_epochs=1``), an
    unlearning one for ``'unlearning'`` (``pretrain_epochs=0``)."""
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    phases = training_phases(cfg)
    phase = phase or phases[-1]
    if phase not in phases:
        raise SystemExit(f'{config} has no {phase} phase (it has {phases})')
    setup_default_scope(cfg)
    cfg.work_dir = work_dir
    cfg.train_cfg = dict(by_epoch=True, max_epochs=1, val_interval=10**9)
    dataset = cfg.train_dataloader.dataset
    while isinstance(dataset.get('dataset'), dict):  # dataset wrappers
        dataset = dataset.dataset
    dataset.indices = (warmup + iters) * cfg.train_dataloader.batch_size
    if 'min_length' in (cfg.train_dataloader.get('sampler') or {}):
        # one pass over the cut split (EpochLengthSampler would stretch it)
        cfg.train_dataloader.sampler.min_length = None
    cfg.train_dataloader.drop_last = True
    cfg.val_dataloader = cfg.val_evaluator = cfg.val_cfg = None
    cfg.test_dataloader = cfg.test_evaluator = cfg.test_cfg = None
    cfg.param_scheduler = None
    cfg.custom_hooks = []
    cfg.default_hooks.checkpoint = None
    cfg.default_hooks.pop('unlearning_start', None)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=10**6)
    cfg.log_level = 'WARNING'
    cfg.visualizer = dict(type='Visualizer', vis_backends=[])
    if 'pretrain_epochs' in cfg.model:
        cfg.model.pretrain_epochs = 1 if phase == 'warmup' else 0
    set_dataloader_defaults(cfg, 'train_dataloader', persistent_workers=True)
    return finalize_dataloaders(cfg)


def synced_clock() -> float:
    """``time.perf_counter()`` once the GPU (if any) has finished its queued
    work, so that a time stamp closes the iteration it follows."""
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return time.perf_counter()


class IterClock(Hook):
    """Records the time after every training iteration."""

    def __init__(self):
        self.stamps = []

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        self.stamps.append(synced_clock())


#: What one measurement gives: its throughput (images/s over the timed
#: iterations, which pauses of the host lower) and its median iteration
#: (seconds; a pause that hits a few iterations does not move it).
Timing = namedtuple('Timing', ['img_s', 'median_iter_s'])


def timing(stamps, warmup: int, batch_size: int) -> Timing:
    """The :class:`Timing` of the iterations that ended at ``stamps``
    after the first ``warmup``."""
    timed = stamps[warmup:]
    steps = [b - a for a, b in zip(timed, timed[1:])]
    return Timing((len(timed) - 1) * batch_size / (timed[-1] - timed[0]),
                  statistics.median(steps))


def images_per_second(stamps, warmup: int, batch_size: int) -> float:
    return timing(stamps, warmup, batch_size).img_s


def measure_runner(cfg: Config, warmup: int) -> Timing:
    """(a): the :class:`Timing` of ``runner.train()``."""
    runner = build_runner(cfg)
    clock = IterClock()
    runner.register_hook(clock, priority='LOWEST')
    runner.train()
    return timing(clock.stamps, warmup, cfg.train_dataloader.batch_size)


def measure_pipeline(cfg: Config, iters: int, warmup: int) -> float:
    """(c): images/s of the dataloader plus the data preprocessor."""
    from mmengine.runner import Runner
    preprocess = build_model(cfg).data_preprocessor
    loader = Runner.build_dataloader(
        cfg.train_dataloader, seed=0, diff_rank_seed=False)
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
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import MODELS
    init_default_scope(cfg.default_scope)
    model_cfg = cfg.model.copy()
    if cfg.get('data_preprocessor') is not None:
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    return MODELS.build(model_cfg)


def sgd(params, optim_cfg: dict) -> torch.optim.SGD:
    opt = dict(optim_cfg)
    assert opt.pop('type') == 'SGD', 'the loop knows SGD configs only'
    return torch.optim.SGD(params, **opt)


def bias_ce(model, feats, targets):
    """h's loss as BiasPredictionHead computes it: per colour channel, the
    cross-entropy averaged over the labelled pixels, summed."""
    logits = model.bias_head(feats)
    ignore = model.bias_head.ignore_index
    return sum(
        F.cross_entropy(logits[:, c], targets[:, c], ignore_index=ignore,
                        reduction='sum') /
        (targets[:, c] != ignore).sum().clamp(min=1)
        for c in range(targets.shape[1]))


class HandLoop:
    """(b): a hand-written loop with the config's modules, doing the work of
    the config's ``train_step`` in the phase ``cfg`` was set up for
    (:func:`benchmark_config`), on the training split pre-tensorised in
    memory. Each :meth:`step` is one iteration."""

    def __init__(self, cfg: Config):
        from mmpretrain.registry import DATASETS

        # imported here, so that --skip-loop can time an older tree that
        # lacks the helpers of today's train_step
        from lnl_mm.models.classifiers.lntl_classifier import (
            detached_parameters, recorded_batch_norm_inputs)
        self.detached_parameters = detached_parameters
        self.recorded_batch_norm_inputs = recorded_batch_norm_inputs
        self.device = 'cuda' if torch.cuda.is_available() else 'cpu'
        model = build_model(cfg).to(self.device)
        model.init_weights()
        model.train()
        self.model = model
        self.pre = model.data_preprocessor
        self.channels_last = getattr(self.pre, 'channels_last', False)
        dataset = DATASETS.build(cfg.train_dataloader.dataset)
        self.images, self.labels, self.targets = tensorise(
            dataset, self.device)
        self.batch_size = cfg.train_dataloader.batch_size
        self.lntl = hasattr(model, 'bias_head')
        if self.lntl:
            main_params = list(model.backbone.parameters()) + list(
                model.head.parameters())
            self.opt_main = sgd(main_params, cfg.optim_wrapper.main.optimizer)
            self.opt_bias = sgd(model.bias_head.parameters(),
                                cfg.optim_wrapper.bias.optimizer)
            self.in_warmup = model.pretrain_epochs > 0
            self.h_alone = model.warmup_bias_steps if self.in_warmup \
                else model.bias_steps - 1
        else:
            self.opt_main = sgd(model.parameters(),
                                cfg.optim_wrapper.optimizer)
            self.in_warmup, self.h_alone = False, 0
        self.batches = self._batches()

    def _batches(self):
        while True:
            for idx in torch.randperm(
                    len(self.labels), device=self.device).split(
                        self.batch_size):
                yield idx

    def step(self) -> None:
        """One iteration (synchronised with the GPU, if any)."""
        model, pre, lntl = self.model, self.pre, self.lntl
        opt_main, h_alone, in_warmup = (self.opt_main, self.h_alone,
                                        self.in_warmup)
        idx = next(self.batches)
        x = (self.images[idx].float() - pre.mean) / pre.std
        if self.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        y = self.labels[idx]
        f_map, g_feat = model.backbone(x)[-2:] if lntl else (
            None, model.backbone(x)[-1])
        loss = F.cross_entropy(model.head.fc(g_feat), y)
        if lntl and not in_warmup:
            with self.detached_parameters(model.bias_head):
                loss = loss + model.entropy_weight * \
                    model.bias_head.uncertainty((f_map, ),
                                                model.uncertainty_loss)
        opt_main.zero_grad(set_to_none=True)
        loss.backward()
        opt_main.step()
        if lntl and not in_warmup:
            # one forward of f for h's own steps and the reversal step, and
            # its BatchNorm statistics updated twice, as train_step runs it
            # in one process
            with self.recorded_batch_norm_inputs(model.backbone) as repeat:
                bias_feat = model.backbone.extract_bias_feat(x)
            if h_alone:
                repeat()
            fixed = bias_feat.detach()
        elif lntl and h_alone:
            with torch.no_grad():
                fixed = model.backbone.extract_bias_feat(x)
        for _ in range(h_alone if lntl else 0):
            self.opt_bias.zero_grad(set_to_none=True)
            bias_ce(model, (fixed, ), self.targets[idx]).backward()
            self.opt_bias.step()
        if lntl and not in_warmup:
            opt_main.zero_grad(set_to_none=True)
            self.opt_bias.zero_grad(set_to_none=True)
            feats = model.bias_neck((bias_feat, ))
            bias_ce(model, feats, self.targets[idx]).backward()
            opt_main.step()
            self.opt_bias.step()
        if self.device == 'cuda':
            torch.cuda.synchronize()


def measure_loop(cfg: Config, iters: int, warmup: int) -> Timing:
    """(b): the :class:`Timing` of :class:`HandLoop` alone."""
    loop = HandLoop(cfg)
    stamps = []
    for _ in range(warmup + iters):
        loop.step()
        stamps.append(time.perf_counter())
    return timing(stamps, warmup, loop.batch_size)


#: What a paired measurement gives: the median iteration (seconds) of the
#: Runner and of the hand-written loop, timed in alternating blocks.
Paired = namedtuple('Paired', ['runner_median_iter_s', 'loop_median_iter_s'])


class PairedClock(Hook):
    """Times the Runner's iterations and, after every ``block`` of them, runs
    ``block`` iterations of ``loop`` and times those: the two alternate
    every few tenths of a second, so a change of the machine's speed that
    lasts longer than that reaches both alike.

    A Runner iteration is timed from the end of the previous one's hooks
    (after any loop block) to its own ``after_train_iter``: its data
    loading, its hooks and its ``train_step``. The loop runs ``warmup``
    untimed iterations before training starts, and as many timed ones as
    the Runner runs.
    """

    def __init__(self, loop: 'HandLoop', block: int, warmup: int):
        self.loop, self.block, self.warmup = loop, block, warmup
        self.runner_steps, self.loop_steps = [], []
        self.resumed = None

    def before_train(self, runner) -> None:
        for _ in range(self.warmup):
            self.loop.step()
        self.resumed = time.perf_counter()

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        now = synced_clock()
        self.runner_steps.append(now - self.resumed)
        if len(self.runner_steps) % self.block == 0:
            self._loop_block(self.block, now)
        self.resumed = time.perf_counter()

    def after_train(self, runner) -> None:
        """As many loop iterations as the Runner ran after the last
        block, so both run equally often."""
        left = len(self.runner_steps) % self.block
        if left:
            self._loop_block(left, time.perf_counter())

    def _loop_block(self, iters: int, last: float) -> None:
        for _ in range(iters):
            self.loop.step()
            now = time.perf_counter()
            self.loop_steps.append(now - last)
            last = now


def measure_paired(cfg: Config, warmup: int, block: int) -> Paired:
    """(a) and (b) in alternating blocks of ``block`` iterations (see
    :class:`PairedClock`): the median Runner iteration after the first
    ``warmup`` and the median loop iteration."""
    if block < 1:
        raise SystemExit(f'--pair-block {block}: must be at least 1')
    runner = build_runner(cfg)
    clock = PairedClock(HandLoop(cfg), block, warmup)
    runner.register_hook(clock, priority='LOWEST')
    runner.train()
    return Paired(statistics.median(clock.runner_steps[warmup:]),
                  statistics.median(clock.loop_steps))


def measure_rounds(cfgs: dict, args) -> dict:
    """(a), (b) and a / b of every phase in ``cfgs`` (phase -> config set
    up for it) over ``args.rounds`` rounds, the order of the measurements
    rotating from round to round, after ``args.settle_rounds`` untimed
    rounds: per phase the medians, the per-round values under ``*_rounds``
    and the seconds per Runner iteration."""
    if args.rounds < 1:
        raise SystemExit(f'--rounds {args.rounds}: must be at least 1')
    if args.settle_rounds < 0:
        raise SystemExit(f'--settle-rounds {args.settle_rounds}: must be 0 '
                         'or more')
    jobs = [(phase, kind) for phase in cfgs
            for kind in (('runner', ) if args.skip_loop else
                         ('runner', 'loop', 'paired'))]
    values = {job: [] for job in jobs}

    def measure(phase, kind):
        cfg = cfgs[phase].copy()
        if kind == 'runner':
            return measure_runner(cfg, args.warmup)
        if kind == 'loop':
            return measure_loop(cfg, args.iters, args.warmup)
        return measure_paired(cfg, args.warmup, args.pair_block)

    for _ in range(args.settle_rounds):
        for job in jobs:
            measure(*job)
    for index in range(args.rounds):
        shift = index % len(jobs)
        for job in jobs[shift:] + jobs[:shift]:
            values[job].append(measure(*job))
    result = {}
    for phase, cfg in cfgs.items():
        runner = [t.img_s for t in values[phase, 'runner']]
        entry = dict(runner_img_s=statistics.median(runner),
                     runner_img_s_rounds=runner,
                     runner_median_iter_ms_rounds=[
                         1e3 * t.median_iter_s
                         for t in values[phase, 'runner']])
        entry['s_per_iter'] = cfg.train_dataloader.batch_size / \
            entry['runner_img_s']
        loop_timings = values.get((phase, 'loop'))
        if loop_timings:
            loop = [t.img_s for t in loop_timings]
            ratios = [a / b for a, b in zip(runner, loop)]
            # the same ratio from the median iterations: what the Runner
            # costs per iteration, without the host's pauses
            steady = [b.median_iter_s / a.median_iter_s for a, b in zip(
                values[phase, 'runner'], loop_timings)]
            entry.update(
                loop_img_s=statistics.median(loop),
                loop_img_s_rounds=loop,
                loop_median_iter_ms_rounds=[
                    1e3 * t.median_iter_s for t in loop_timings],
                runner_over_loop=statistics.median(ratios),
                runner_over_loop_rounds=ratios,
                runner_over_loop_median_iter=statistics.median(steady),
                runner_over_loop_median_iter_rounds=steady)
            # the Runner and the loop timed in alternating blocks: what the
            # Runner costs per iteration, with the machine's drift between
            # two separate measurements taken out
            paired = values[phase, 'paired']
            paired_ratios = [p.loop_median_iter_s / p.runner_median_iter_s
                             for p in paired]
            entry.update(
                paired_runner_median_iter_ms_rounds=[
                    1e3 * p.runner_median_iter_s for p in paired],
                paired_loop_median_iter_ms_rounds=[
                    1e3 * p.loop_median_iter_s for p in paired],
                runner_over_loop_paired=statistics.median(paired_ratios),
                runner_over_loop_paired_rounds=paired_ratios)
        result[phase] = entry
    return result


def predict_full_scale(config: str, cfg_options, phases: dict,
                       train_size: int) -> dict:
    """Training time of ``config`` as it ships on ``train_size`` digits:
    iterations per epoch times each phase's seconds per Runner iteration
    times its epochs (no validation or testing)."""
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    epochs = cfg.train_cfg.max_epochs
    iters = math.ceil(train_size / cfg.train_dataloader.batch_size)
    warm = cfg.model.get('pretrain_epochs', 0) if 'warmup' in phases else 0
    epochs_of = dict(train=epochs, warmup=warm, unlearning=epochs - warm)
    seconds = sum(iters * epochs_of[phase] * phases[phase]['s_per_iter']
                  for phase in training_phases(cfg))
    return dict(train_size=train_size, iters_per_epoch=iters,
                epochs={p: epochs_of[p] for p in training_phases(cfg)},
                train_minutes=seconds / 60)


def peak_rss_mib() -> float:
    """Peak resident memory of this process (Linux: ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def print_result(result: dict, indent: str = '') -> None:
    for key, value in result.items():
        if isinstance(value, dict):
            print(f'{indent}{key}:')
            print_result(value, indent + '  ')
            continue
        if isinstance(value, list):
            value = ' '.join(f'{v:.3f}' for v in value)
        elif isinstance(value, float):
            value = f'{value:.3f}'
        print(f'{indent}{key:>23}: {value}')


def main(argv=None) -> dict:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix='lnl_mm_bench_') as work_dir:
        setup = dict(cfg_options=args.cfg_options, iters=args.iters,
                     warmup=args.warmup, work_dir=work_dir)
        probe = benchmark_config(args.config, **setup)
        cfgs = {phase: benchmark_config(args.config, phase=phase, **setup)
                for phase in training_phases(Config.fromfile(args.config))}
        if args.baseline:
            cfgs['baseline'] = benchmark_config(args.baseline, **setup)
        result = dict(
            config=args.config,
            baseline=args.baseline,
            device=torch.cuda.get_device_name()
            if torch.cuda.is_available() else 'cpu',
            torch_threads=torch.get_num_threads(),
            batch_size=probe.train_dataloader.batch_size,
            num_workers=probe.train_dataloader.num_workers,
            iters=args.iters,
            rounds=args.rounds,
            settle_rounds=args.settle_rounds)
        phases = measure_rounds(cfgs, args)
        if args.baseline:
            unit = phases['baseline']['s_per_iter']
            for entry in phases.values():
                entry['cost_in_baseline_iters'] = entry['s_per_iter'] / unit
        result['phases'] = phases
        result['predicted'] = predict_full_scale(
            args.config, args.cfg_options, phases, args.full_train_size)
        result['pipeline_img_s'] = measure_pipeline(probe.copy(), args.iters,
                                                    args.warmup)
        result['peak_rss_mib'] = peak_rss_mib()
        if torch.cuda.is_available():
            result['peak_gpu_mib'] = torch.cuda.max_memory_allocated() / 2**20
    print_result(result)
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=2)
    return result


if __name__ == '__main__':
    main()
