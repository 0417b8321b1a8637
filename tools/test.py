"""Test (evaluate) a checkpoint with MMEngine's Runner and print the metrics.

Usage::

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out FILE]
        [--out-item {pred,metrics}] [--show-dir DIR] [--cfg-options ...]
    bash tools/dist_test.sh CONFIG CHECKPOINT GPUS [...]   # torchrun
"""
import argparse
import os
import os.path as osp
import sys

import mmengine
from mmengine.config import Config, ConfigDict, DictAction
from mmengine.dist import is_main_process
from mmengine.evaluator import DumpResults

import lnl_mm  # noqa: F401  registers lnl_mm's components
from lnl_mm.utils import (ConfigError, build_runner, check_checkpoint_file,
                          check_config, check_writable_dir,
                          explain_untrusted_checkpoint,
                          finalize_dataloaders, run_cli, runner_model,
                          set_dataloader_defaults, setup_default_scope,
                          setup_distributed, setup_work_dir,
                          teardown_distributed)

PRED_SUFFIXES = ('.pkl', '.pickle')
METRICS_SUFFIXES = ('.json', '.yaml', '.yml', '.pkl', '.pickle')


def parse_args(argv=None):
    """Parse the command line (``argv`` defaults to ``sys.argv[1:]``)."""
    parser = argparse.ArgumentParser(
        description='Test (and evaluate) a checkpoint (lnl_mm)')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--work-dir', help='the dir to save logs and evaluation metrics')
    parser.add_argument(
        '--out',
        help='file to save the predictions (.pkl) or, with --out-item '
        'metrics, the metrics (.json/.yaml/.pkl)')
    parser.add_argument(
        '--out-item',
        choices=['metrics', 'pred'],
        help='what --out saves; defaults to the predictions')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, xxx=yyy pairs merged into the '
        'config')
    parser.add_argument(
        '--show-dir', help='dir where visualised predictions are saved')
    parser.add_argument(
        '--show',
        action='store_true',
        help='display the predictions in a window')
    parser.add_argument(
        '--interval', type=int, default=1, help='visualise every N samples')
    parser.add_argument(
        '--wait-time',
        type=float,
        default=2,
        help='seconds each shown window stays open')
    parser.add_argument(
        '--no-pin-memory',
        action='store_true',
        help='disable pin_memory in the dataloaders')
    parser.add_argument(
        '--tta',
        action='store_true',
        help='test-time augmentation with the config\'s `tta_model` and '
        '`tta_pipeline`')
    parser.add_argument(
        '--check-only',
        action='store_true',
        help='check the config and inputs as a run does, then exit without '
        'building or writing anything (dist_test.sh does this once before '
        'starting its processes)')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    check_out_args(args)
    return args


def check_out_args(args):
    """Refuse --out/--out-item combinations that would fail after testing."""
    if args.out is None:
        if args.out_item is not None:
            raise ConfigError('--out-item needs --out FILE to write to.')
        return
    suffix = osp.splitext(args.out)[1].lower()
    if args.out_item == 'metrics':
        if suffix not in METRICS_SUFFIXES:
            raise ConfigError(f'--out {args.out}: metrics are saved as '
                              f'{"/".join(METRICS_SUFFIXES)}.')
    elif suffix not in PRED_SUFFIXES:
        raise ConfigError(f'--out {args.out}: predictions are saved as a '
                          'pickle; use a .pkl file name (or --out-item '
                          'metrics for a .json of the metrics).')


def setup_visualization(cfg, args):
    """Enable the VisualizationHook for --show / --show-dir."""
    if not (args.show or args.show_dir):
        return
    hooks = cfg.get('default_hooks') or {}
    if 'visualization' not in hooks:
        raise ConfigError(
            '--show/--show-dir need a VisualizationHook: add '
            "default_hooks=dict(visualization=dict(type='VisualizationHook'))"
            ' to the config.')
    vis = cfg.default_hooks.visualization
    vis.enable = True
    vis.show = args.show
    vis.wait_time = args.wait_time
    vis.out_dir = args.show_dir
    vis.interval = args.interval


def setup_tta(cfg):
    """Wrap the model and test pipeline with the config's TTA settings."""
    missing = [key for key in ('tta_model', 'tta_pipeline') if key not in cfg]
    if missing:
        raise ConfigError(
            f'--tta needs {" and ".join(missing)} in the config (e.g. '
            "tta_model=dict(type='AverageClsScoreTTA') and a tta_pipeline "
            'ending in TestTimeAug); this config has no TTA settings.')
    cfg.model = ConfigDict(**cfg.tta_model, module=cfg.model)
    cfg.test_dataloader.dataset.pipeline = cfg.tta_pipeline


def merge_args(cfg, args):
    """Merge the command-line arguments into ``cfg`` and return it."""
    cfg.launcher = args.launcher
    setup_default_scope(cfg)
    setup_work_dir(cfg, args.config, args.work_dir)
    cfg.load_from = args.checkpoint
    cfg.resume = False
    setup_visualization(cfg, args)
    if args.tta:
        setup_tta(cfg)
    set_dataloader_defaults(
        cfg, 'test_dataloader', pin_memory=not args.no_pin_memory)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    finalize_dataloaders(cfg)
    return cfg


def format_metrics(metrics):
    """Return the metrics one per line, ``name: value``."""
    return '\n'.join(f'{key}: {value}' for key, value in metrics.items())


def untrained_note(runner, checkpoint):
    """A note naming the modules the checkpoint had no weights for (their
    metrics are left out), or None."""
    model = runner_model(runner)
    untrained = sorted(getattr(model, 'untrained_modules', ()))
    if not untrained:
        return None
    return (f"Note: {checkpoint} has no weights for {', '.join(untrained)}; "
            'the label path was evaluated and their metrics are left out.')


def main(argv=None):
    """Test from the command line; returns the metrics.

    Errors in the user's input raise a ``lnl_mm.utils.UserError``; run as a
    script, they are printed without a traceback (exit status 1).
    """
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    cfg = merge_args(cfg, args)
    check_config(cfg, ('test_dataloader', ), training=False)
    if '://' not in args.checkpoint:
        check_checkpoint_file(args.checkpoint)
    if args.check_only:
        return None
    check_writable_dir(cfg.work_dir)  # after the checks: creates the dir
    setup_distributed(cfg, args.launcher)
    metrics = run_test(cfg, args)
    teardown_distributed()
    return metrics


def run_test(cfg, args):
    """Build the Runner from ``cfg``, test ``args.checkpoint``, write and
    print the metrics on the main process and return them. The Runner is
    dropped on return, so that ``teardown_distributed`` can destroy the
    process group it holds."""
    runner = build_runner(cfg)
    if args.out and args.out_item in ('pred', None):
        runner.test_evaluator.metrics.append(
            DumpResults(out_file_path=args.out))
    with explain_untrusted_checkpoint(args.checkpoint):
        metrics = runner.test()
    if is_main_process():
        if args.out and args.out_item == 'metrics':
            mmengine.dump(metrics, args.out)
        print(f'Test metrics of {args.checkpoint}:\n{format_metrics(metrics)}')
        note = untrained_note(runner, args.checkpoint)
        if note:
            print(note)
    return metrics


if __name__ == '__main__':
    sys.exit(run_cli(main))
