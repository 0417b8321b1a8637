"""Train a model from a config with MMEngine's Runner.

Usage::

    python tools/train.py CONFIG [--work-dir DIR] [--resume [auto|PATH]]
        [--amp] [--no-validate] [--cfg-options key=value ...]
    bash tools/dist_train.sh CONFIG GPUS [...]      # torchrun, see README
"""
import argparse
import logging
import os
import sys

from mmengine.config import Config, DictAction
from mmengine.logging import print_log
from mmpretrain.registry import HOOKS

import lnl_mm  # noqa: F401  registers lnl_mm's components
from lnl_mm.utils import (DATALOADER_FIELDS, TRAIN_FIELDS, ConfigError,
                          build_runner, check_checkpoint_file, check_config,
                          check_last_checkpoint,
                          check_writable_dir, checkpoint_path_of,
                          enable_amp, explain_untrusted_checkpoint,
                          finalize_dataloaders, read_checkpoint, run_cli,
                          set_dataloader_defaults, setup_default_scope,
                          setup_distributed, setup_work_dir,
                          teardown_distributed)


def parse_args(argv=None):
    """Parse the command line (``argv`` defaults to ``sys.argv[1:]``)."""
    parser = argparse.ArgumentParser(description='Train a model (lnl_mm)')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from this checkpoint; without a path, resume from the '
        'latest checkpoint in the work dir')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='automatic mixed precision: every optimizer wrapper becomes an '
        'AmpOptimWrapper with dynamic loss scaling (needs CUDA)')
    parser.add_argument(
        '--amp-dtype',
        choices=['float16', 'bfloat16'],
        default='float16',
        help='the autocast type of --amp (bfloat16 needs an Ampere or newer '
        'GPU)')
    parser.add_argument(
        '--no-validate',
        action='store_true',
        help='do not evaluate checkpoints during training')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the lr by the actual over the base batch size')
    parser.add_argument(
        '--no-pin-memory',
        action='store_true',
        help='disable pin_memory in the dataloaders')
    parser.add_argument(
        '--no-persistent-workers',
        action='store_true',
        help='disable persistent_workers in the dataloaders')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, xxx=yyy pairs merged into the '
        'config, e.g. model.neck.mu=0.2 or key="[a,b]" for lists')
    parser.add_argument(
        '--check-only',
        action='store_true',
        help='check the config and inputs as a run does, then exit without '
        'building or writing anything (dist_train.sh does this once before '
        'starting its processes)')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    # torch >= 2.0's launchers pass --local-rank, older ones --local_rank
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def merge_args(cfg, args):
    """Merge the command-line arguments into ``cfg`` and return it."""
    if args.no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None
    cfg.launcher = args.launcher
    setup_default_scope(cfg)
    setup_work_dir(cfg, args.config, args.work_dir)

    if args.amp:
        enable_amp(cfg, dtype=args.amp_dtype)

    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume

    if args.auto_scale_lr:
        if cfg.get('auto_scale_lr') is None:
            raise ConfigError(
                '--auto-scale-lr needs `auto_scale_lr = dict('
                'base_batch_size=...)` in the config.')
        cfg.auto_scale_lr.enable = True

    for field in DATALOADER_FIELDS:
        set_dataloader_defaults(
            cfg,
            field,
            pin_memory=not args.no_pin_memory,
            persistent_workers=not args.no_persistent_workers)

    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    finalize_dataloaders(cfg)
    return cfg


def resume_check_hook_cfg(cfg):
    """The config of the run's ``ResumeCheckHook``, or None."""
    hooks = list((cfg.get('default_hooks') or {}).values())
    hooks += list(cfg.get('custom_hooks') or [])
    return next((h for h in hooks if isinstance(h, dict)
                 and h.get('type') == 'ResumeCheckHook'), None)


def check_before_training(cfg, create_work_dir=True):
    """Fail before building anything (so nothing is written): a config
    mistake (:func:`~lnl_mm.utils.check_config`: the datasets', model's,
    optimizers', dataloaders' and hooks' options, and the model against the
    data), an unwritable work dir, an automatic resume whose
    ``last_checkpoint`` names no file, a checkpoint to load that is no
    checkpoint file (missing, empty, text, truncated), or a resume that the
    config's ``ResumeCheckHook`` refuses (the hook checks again, with the
    dataset's metainfo, when loading). ``create_work_dir=False`` leaves
    out the work-dir check, which creates the work dir."""
    check_config(cfg, TRAIN_FIELDS, training=True)
    if cfg.get('resume') and not cfg.get('load_from'):
        checkpoint = check_last_checkpoint(cfg.work_dir)
        if checkpoint is None:
            print_log(
                f"--resume: '{cfg.work_dir}' has no last_checkpoint, so "
                'training starts from scratch there (check --work-dir if a '
                'run was expected).', logger='current', level=logging.WARNING)
    else:
        checkpoint = cfg.get('load_from')
    if checkpoint and '://' not in checkpoint:
        check_checkpoint_file(checkpoint)
        hook_cfg = resume_check_hook_cfg(cfg)
        if cfg.get('resume') and hook_cfg is not None:
            HOOKS.build(hook_cfg).check(
                read_checkpoint(checkpoint, map_location='cpu'),
                cfg.to_dict(), checkpoint)
    if create_work_dir:
        check_writable_dir(cfg.work_dir)  # last: creates the work dir


def run_training(cfg):
    """Build the Runner from ``cfg`` and train it. The Runner is dropped on
    return, so that ``teardown_distributed`` can destroy the process group
    it holds."""
    runner = build_runner(cfg)
    with explain_untrusted_checkpoint(lambda: checkpoint_path_of(cfg)):
        runner.train()


def main(argv=None):
    """Train from the command line.

    Errors in the user's input raise a ``lnl_mm.utils.UserError``; run as a
    script, they are printed without a traceback (exit status 1).
    """
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    cfg = merge_args(cfg, args)
    check_before_training(cfg, create_work_dir=not args.check_only)
    if args.check_only:
        return
    setup_distributed(cfg, args.launcher)
    run_training(cfg)
    teardown_distributed()


if __name__ == '__main__':
    sys.exit(run_cli(main))
