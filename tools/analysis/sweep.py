"""Run a grid of trainings (methods x color_vars x seeds [x grid axes]) and
write the paper-style table, a CSV and a plot.

Every run goes through the normal path: the sweep merges its settings into
the method's config, dumps that config to the run's folder, trains it with
``tools/train.py`` (or ``tools/dist_train.sh``), then tests the checkpoint
selected on the *validation* split (``best_*_epoch_*.pth`` of the config's
``CheckpointHook(save_best=...)``) with ``tools/test.py``. Each finished run
leaves ``result.json`` in its folder; a later invocation skips it, so a long
grid can be completed in parts. After the runs (or with
``--summarize-only``) ``tools/analysis/summarize_sweep.py`` summarises every
result under ``--work-root`` (``results.csv``, ``table.md``, ``plot.png``,
``curves.png`` and, with ``--grid`` axes, ``search.md``, which ranks the
settings on the validation split).

Examples::

    # the paper's comparison on the embedded sample, 20 epochs
    python tools/analysis/sweep.py --methods baseline gray blindeye lntl \\
        --color-vars 0.020 0.030 0.040 0.050 --seeds 0 1 2 --epochs 20 \\
        --dataset-options source=sample --work-root work_dirs/sweep_sample

    # a hyper-parameter search selected on the validation split
    python tools/analysis/sweep.py --methods lntl --color-vars 0.020 \\
        --seeds 0 --epochs 20 --dataset-options source=sample \\
        --grid model.entropy_weight=0.01,0.1 model.bias_neck.mu=0.1,1.0 \\
        --work-root work_dirs/search_lntl
"""
import argparse
import copy
import glob
import hashlib
import itertools
import json
import logging
import os
import os.path as osp
import re
import runpy
import subprocess
import sys
import time
import traceback
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple

from lnl_mm.utils import (DATALOADER_FIELDS, ConfigError, UserError,
                          atomic_write_text)

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from summarize_sweep import (RESULT_FILE, setup_logger,  # noqa: E402
                             source_run_dir, summarize, val_entries)

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOLS_DIR = osp.join(REPO_ROOT, 'tools')

#: Method name -> config file (relative to the repository root).
METHODS = OrderedDict(
    baseline='configs/baseline_cmnist.py',
    gray='configs/gray_cmnist.py',
    blindeye='configs/blindeye_cmnist.py',
    lntl_paper='configs/lnl_cmnist_paper.py',
    lntl='configs/lnl_cmnist.py',
    lntl_20e='configs/lnl_cmnist_20e.py',
    lntl_image_bias='configs/lnl_cmnist_image_bias.py',
)
DEFAULT_METHODS = ('baseline', 'gray', 'blindeye', 'lntl_paper', 'lntl')
DEFAULT_COLOR_VARS = (0.020, 0.030, 0.040, 0.050)
DEFAULT_SEEDS = (0, 1, 2)
PROBE_HOOK = dict(type='LeakageProbeHook')
FAILED_FILE = 'failed.json'
#: Options that change how a run is executed but not its result; a finished
#: run is reused even if they differ. (cache_dir, which ColoredMNIST now
#: ignores, stays for the runs of older sweeps that recorded it.)
NON_RESULT_OPTIONS = ('cache_dir', 'num_workers', 'persistent_workers',
                      'pin_memory', 'download', 'download_timeout')

logger = logging.getLogger('lnl_mm.sweep')


# ----------------------------------------------------------------------
# command line
# ----------------------------------------------------------------------
def parse_args(argv=None):
    """Parse the command line (``argv`` defaults to ``sys.argv[1:]``)."""
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(
        description='Run and summarise a grid of lnl_mm trainings.',
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='Known methods: ' + ', '.join(
            f'{k} ({v})' for k, v in METHODS.items()))
    parser.add_argument(
        '--methods',
        nargs='+',
        default=list(DEFAULT_METHODS),
        help='known method names, NAME=CONFIG or config paths (the name is '
        'then the file name)')
    parser.add_argument(
        '--color-vars',
        nargs='+',
        type=float,
        default=list(DEFAULT_COLOR_VARS),
        help='colour jitter variances, set in all three datasets')
    parser.add_argument(
        '--seeds',
        nargs='+',
        type=int,
        default=list(DEFAULT_SEEDS),
        help='each seed sets randomness.seed and the data_seed of all three '
        'datasets')
    parser.add_argument(
        '--work-root',
        default='work_dirs/sweep',
        help='runs go to WORK_ROOT/runs/..., summaries to WORK_ROOT')
    parser.add_argument(
        '--epochs',
        type=int,
        help='train this many epochs; MultiStepLR milestones (40/80 of 100), '
        'epoch-based scheduler begin/end and model.pretrain_epochs scale '
        'proportionally (a --grid or --cfg-options value still wins)')
    parser.add_argument(
        '--grid',
        nargs='+',
        default=[],
        metavar='KEY=V1,V2',
        help='extra grid axes, e.g. model.entropy_weight=0.01,0.1; every key '
        'must exist in each method\'s config or be an argument of the '
        'component at its parent (train_dataloader.dataset.conflict_ratio)')
    parser.add_argument(
        '--load-from',
        nargs='+',
        default=[],
        metavar='METHOD=SOURCE',
        help='two-stage recipes: METHOD starts from the last checkpoint of '
        'method SOURCE\'s run with the same color_var and seed (SOURCE must '
        'come first in --methods, or be finished under --work-root), e.g. '
        'lntl_2stage=baseline as in the authors\' train.sh')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        default={},
        help='config overrides for every run (as tools/train.py)')
    parser.add_argument(
        '--dataset-options',
        nargs='+',
        action=DictAction,
        default={},
        help='overrides of the dataset of all three dataloaders, e.g. '
        'source=sample data_root=data/mnist')
    parser.add_argument(
        '--dataloader-options',
        nargs='+',
        action=DictAction,
        default={},
        help='overrides of all three dataloaders, e.g. num_workers=0')
    parser.add_argument(
        '--metric',
        choices=['test', 'val'],
        default='test',
        help='split shown in table.md and plot.png (the search ranking of '
        'search.md always uses val)')
    parser.add_argument(
        '--metric-key',
        default='accuracy/top1',
        help='metric of the table, the plot and the search ranking')
    parser.add_argument(
        '--no-probe',
        action='store_true',
        help='do not add the LeakageProbeHook to configs that lack it')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch'],
        default='none',
        help='pytorch: train/test through tools/dist_train.sh and '
        'tools/dist_test.sh with --gpus processes')
    parser.add_argument(
        '--gpus', type=int, default=1, help='processes per run (launcher)')
    parser.add_argument(
        '--in-process',
        action='store_true',
        help='call tools/train.py and tools/test.py\'s main() in this '
        'process instead of subprocesses (saves the start-up time; used by '
        'the tests)')
    parser.add_argument(
        '--force', action='store_true', help='rerun finished runs')
    parser.add_argument(
        '--dry-run',
        action='store_true',
        help='list the runs and whether they are finished, run nothing')
    parser.add_argument(
        '--summarize-only',
        action='store_true',
        help='only summarise the results found under --work-root')
    args = parser.parse_args(argv)
    if args.launcher != 'none' and args.in_process:
        parser.error('--in-process cannot be combined with --launcher.')
    return args


def parse_grid(items: Sequence[str]) -> 'OrderedDict[str, list]':
    """``['a.b=1,2', 'c=x']`` -> ``{'a.b': [1, 2], 'c': ['x']}``; values are
    parsed as ``--cfg-options`` parses them (MMEngine's ``DictAction``)."""
    from mmengine.config import DictAction
    grid = OrderedDict()
    for item in items:
        key, sep, values = item.partition('=')
        if not sep or not key or not values:
            raise ValueError(f'--grid {item!r}: use KEY=V1,V2,... e.g. '
                             'model.entropy_weight=0.01,0.1')
        if key in grid:
            raise ValueError(f'--grid: {key!r} is given twice.')
        value = DictAction._parse_iterable(values)
        grid[key] = value if isinstance(value, list) else [value]
    return grid


def resolve_methods(specs: Sequence[str]) -> 'OrderedDict[str, str]':
    """Method specs -> {name: absolute config path}."""
    methods = OrderedDict()
    for spec in specs:
        if spec in METHODS:
            name, path = spec, METHODS[spec]
        elif '=' in spec:
            name, path = spec.split('=', 1)
        else:
            name, path = osp.splitext(osp.basename(spec))[0], spec
        if not osp.isabs(path) and not osp.exists(path):
            path = osp.join(REPO_ROOT, path)
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'--methods {spec!r}: no config at {path}; use one of '
                f'{list(METHODS)} or a config path.')
        if name in methods:
            raise ValueError(f'--methods: the name {name!r} is used twice.')
        methods[name] = osp.abspath(path)
    return methods


# ----------------------------------------------------------------------
# the runs
# ----------------------------------------------------------------------
def setting_tag(grid_values: Dict) -> str:
    """Folder-safe tag of one grid point, '' without grid axes."""
    return '+'.join(f'{k}={v}' for k, v in grid_values.items())


def plan_runs(args) -> List[dict]:
    """One spec per run of the grid, in execution order."""
    methods = resolve_methods(args.methods)
    grid = parse_grid(args.grid)
    load_from = parse_load_from(args.load_from, methods)
    points = [
        OrderedDict(zip(grid, combo))
        for combo in itertools.product(*grid.values())
    ] or [OrderedDict()]
    runs = []
    for (name, config), point, color_var, seed in itertools.product(
            methods.items(), points, args.color_vars, args.seeds):
        tag = setting_tag(point)
        folder = osp.join(args.work_root, 'runs',
                          f'{name}__{tag}' if tag else name,
                          f'cv{color_var:.3f}', f'seed{seed}')
        spec = dict(
                method=name,
                config=config,
                color_var=color_var,
                seed=seed,
                grid=dict(point),
                setting=tag,
                epochs=args.epochs,
                cfg_options=dict(args.cfg_options or {}),
                dataset_options=dict(args.dataset_options or {}),
                dataloader_options=dict(args.dataloader_options or {}),
                probe=not args.no_probe,
                run_dir=osp.abspath(folder))
        if name in load_from:
            # only present for two-stage runs, so that the stored spec of
            # every other run stays what earlier versions wrote
            spec['load_from_method'] = load_from[name]
        runs.append(spec)
    return runs


def parse_load_from(items: Sequence[str],
                    methods: Dict[str, str]) -> Dict[str, str]:
    """``['lntl_2stage=baseline']`` -> ``{'lntl_2stage': 'baseline'}``."""
    pairs = {}
    for item in items:
        name, sep, source = item.partition('=')
        if not sep or not name or not source or name == source:
            raise ValueError(f'--load-from {item!r}: use METHOD=SOURCE with '
                             'two different method names, e.g. '
                             'lntl_2stage=baseline')
        if name not in methods:
            raise ValueError(f'--load-from {item!r}: {name!r} is not one of '
                             f'--methods {list(methods)}.')
        pairs[name] = source
    return pairs


def last_checkpoint_of(run_dir: str) -> str:
    """The last epoch checkpoint of a finished run (what the authors'
    train.sh starts unlearning from), or a FileNotFoundError naming the fix."""
    ckpts = sorted(
        glob.glob(osp.join(run_dir, 'train', 'epoch_*.pth')),
        key=checkpoint_epoch)
    if not osp.isfile(osp.join(run_dir, RESULT_FILE)) or not ckpts:
        raise FileNotFoundError(
            f'The two-stage run needs the finished run {run_dir} first (its '
            'last epoch checkpoint). List its method before this one in '
            '--methods, with the same --work-root, color_var and seed.')
    return ckpts[-1]


def result_relevant(spec: dict) -> dict:
    """The parts of a run spec that determine its result."""
    keep = {k: v for k, v in spec.items() if k != 'run_dir'}
    for field in ('dataset_options', 'dataloader_options'):
        keep[field] = {
            k: v
            for k, v in spec[field].items() if k not in NON_RESULT_OPTIONS
        }
    keep['config'] = osp.relpath(spec['config'], REPO_ROOT)
    return json.loads(json.dumps(keep, sort_keys=True, default=str))


def load_finished(spec: dict) -> Optional[dict]:
    """The stored result of a finished run, or None.

    Raises if the run folder holds a result of different settings, which
    would otherwise be silently mixed into the table.
    """
    path = osp.join(spec['run_dir'], RESULT_FILE)
    if not osp.isfile(path):
        return None
    with open(path) as f:
        result = json.load(f)
    if result.get('spec') != result_relevant(spec):
        raise RuntimeError(
            f'{path} was produced with other settings than this sweep asks '
            f'for:\n  stored: {result.get("spec")}\n  now:    '
            f'{result_relevant(spec)}\nUse another --work-root for the new '
            'settings, or --force to overwrite.')
    return result


# ----------------------------------------------------------------------
# config building
# ----------------------------------------------------------------------
def innermost_dataset(loader_cfg) -> dict:
    """The dataset config inside (possibly wrapped) dataset configs."""
    dataset = loader_cfg['dataset']
    while isinstance(dataset.get('dataset'), dict):
        dataset = dataset['dataset']
    return dataset


def scale_epochs(value, factor: float) -> int:
    """An epoch index scaled by ``factor``, at least 1 when it was > 0."""
    return max(1, int(round(value * factor))) if value > 0 else 0


def set_epochs(cfg, epochs: int) -> None:
    """Shorten (or lengthen) the schedule to ``epochs`` proportionally."""
    train_cfg = cfg.get('train_cfg') or {}
    old = train_cfg.get('max_epochs')
    if not old or not train_cfg.get('by_epoch', True):
        raise ValueError('--epochs needs an epoch-based train_cfg with '
                         'max_epochs; use --cfg-options for iteration-based '
                         'schedules.')
    factor = epochs / old
    cfg.train_cfg.max_epochs = epochs
    schedulers = cfg.get('param_scheduler') or []
    if isinstance(schedulers, dict):
        schedulers = [schedulers]
    for scheduler in schedulers:
        if not scheduler.get('by_epoch', True):
            continue
        if 'milestones' in scheduler:
            scheduler['milestones'] = [
                scale_epochs(m, factor) for m in scheduler['milestones']
            ]
        for key in ('begin', 'end'):
            if key in scheduler and scheduler[key] <= old:
                scheduler[key] = scale_epochs(scheduler[key], factor)
    model = cfg.get('model') or {}
    if model.get('pretrain_epochs'):
        model['pretrain_epochs'] = scale_epochs(model['pretrain_epochs'],
                                                factor)


def get_by_path(cfg, key: str):
    """``cfg['a']['b']`` for ``'a.b'``; KeyError if missing."""
    node = cfg
    for part in key.split('.'):
        try:
            if isinstance(node, (list, tuple)):
                node = node[int(part)]
            else:
                node = node[part]
        except (KeyError, IndexError, TypeError, ValueError):
            raise KeyError(key) from None
    return node


def grid_key_is_known(cfg, key: str) -> bool:
    """Whether ``key`` is set in ``cfg``, or names an argument that the
    component configured at its parent path takes without the config
    spelling it out (``train_dataloader.dataset.conflict_ratio``: the
    dataset's ``type`` takes ``conflict_ratio``, which defaults to 0)."""
    try:
        get_by_path(cfg, key)
        return True
    except KeyError:
        pass
    parent_key, _, name = key.rpartition('.')
    try:
        parent = get_by_path(cfg, parent_key) if parent_key else None
    except KeyError:
        return False
    return name in component_arguments(cfg, parent)


def check_grid_key(cfg, key: str, spec: dict) -> None:
    """ConfigError unless ``key`` may be set in ``spec``'s method config."""
    if not grid_key_is_known(cfg, key):
        raise ConfigError(
            f'--grid key {key!r} is not in the config of method '
            f'{spec["method"]!r} ({spec["config"]}), nor an argument of the '
            'component its parent configures; check the spelling, or search '
            'that method in a separate sweep.')


def check_grid_keys(runs: Sequence[dict]) -> None:
    """Check every --grid key against every method's run config (as
    :func:`build_run_config` makes it, probe hook included) before the
    first run starts, so that a misspelt key does not wait for the runs
    before it."""
    checked = set()
    for spec in runs:
        kind = (spec['config'], tuple(spec['grid']))
        if kind not in checked:
            build_run_config(spec)
            checked.add(kind)


def component_arguments(cfg, spec) -> List[str]:
    """The ``__init__`` arguments of the class a ``dict(type=...)`` config
    names, looked up in every registry of the config's scope; [] for
    anything else."""
    import mmpretrain.registry
    from mmengine.registry import Registry

    from lnl_mm.utils.cfg_utils import (_init_arguments, _registered_class,
                                        init_scope)
    if not isinstance(spec, dict) or 'type' not in spec:
        return []
    init_scope(cfg)
    names = []
    for registry in vars(mmpretrain.registry).values():
        if not isinstance(registry, Registry):
            continue
        try:
            cls = _registered_class(spec, registry)
        except (KeyError, TypeError):
            continue
        if cls is not None:
            names.extend(_init_arguments(cls))
    return names


def add_probe_hook(cfg) -> None:
    """Append the LeakageProbeHook unless the config already has one."""
    hooks = list(cfg.get('custom_hooks') or [])
    if not any(h.get('type') in ('LeakageProbeHook',
                                 'mmpretrain.LeakageProbeHook')
               for h in hooks):
        hooks.append(dict(PROBE_HOOK))
        cfg.custom_hooks = hooks


def build_run_config(spec: dict):
    """The method's config with this run's settings merged in."""
    from mmengine.config import Config
    cfg = Config.fromfile(spec['config'])
    if spec['epochs']:
        set_epochs(cfg, spec['epochs'])
    for field in DATALOADER_FIELDS:
        if cfg.get(field) is None:
            continue
        dataset = innermost_dataset(cfg[field])
        dataset['color_var'] = spec['color_var']
        dataset['data_seed'] = spec['seed']
        dataset.update(copy.deepcopy(spec['dataset_options']))
        cfg[field].update(copy.deepcopy(spec['dataloader_options']))
    cfg.randomness = dict(cfg.get('randomness') or {}, seed=spec['seed'])
    # MMEngine names a run's logger and visualizer instances after the
    # experiment name plus the launch's timestamp (to the second). --in-process
    # runs share one process, so two launches in one second with the same
    # name (the same method/cv/seed in two work roots, e.g. two tests) would
    # share those instances and log into the other run's folder; a digest of
    # the run's absolute path keeps every run's name its own.
    readable = osp.relpath(spec['run_dir'], osp.dirname(osp.dirname(
        osp.dirname(spec['run_dir'])))).replace(os.sep, '_')
    digest = hashlib.sha1(
        osp.abspath(spec['run_dir']).encode()).hexdigest()[:8]
    cfg.experiment_name = f'{readable}_{digest}'
    if spec['probe']:  # before the overrides, so they can tune the probe
        add_probe_hook(cfg)
    for key, value in spec['grid'].items():
        check_grid_key(cfg, key, spec)
        cfg.merge_from_dict({key: value})
    if spec['cfg_options']:
        cfg.merge_from_dict(copy.deepcopy(spec['cfg_options']))
    return cfg


# ----------------------------------------------------------------------
# running the tools
# ----------------------------------------------------------------------
_TOOL_MAINS = {}


def tool_main(name: str):
    """``main`` of tools/<name>.py, loaded once (for --in-process)."""
    if name not in _TOOL_MAINS:
        namespace = runpy.run_path(
            osp.join(TOOLS_DIR, f'{name}.py'), run_name=f'lnl_mm_{name}')
        _TOOL_MAINS[name] = namespace['main']
    return _TOOL_MAINS[name]


def run_tool(name: str, tool_args: List[str], log_file: str, args) -> None:
    """Run tools/train.py or tools/test.py (``name``) with ``tool_args``.

    Raises RuntimeError (naming the log file) if it fails.
    """
    if args.in_process:
        try:
            tool_main(name)(tool_args)
        except Exception as error:  # reported with the run, sweep goes on
            raise RuntimeError(f'{name}.py failed in process: {error!r}') \
                from error
        return
    if args.launcher == 'none':
        cmd = [sys.executable, osp.join(TOOLS_DIR, f'{name}.py')] + tool_args
    else:
        script = osp.join(TOOLS_DIR, f'dist_{name}.sh')
        # dist_*.sh take GPUS after the config (train) or checkpoint (test)
        split = 1 if name == 'train' else 2
        cmd = ['bash', script] + tool_args[:split] + [str(args.gpus)] + \
            tool_args[split:]
    with open(log_file, 'a') as log:  # a resumed run appends
        log.write('$ ' + ' '.join(cmd) + '\n')
        log.flush()
        code = subprocess.call(
            cmd, stdout=log, stderr=subprocess.STDOUT, cwd=REPO_ROOT)
    if code != 0:
        raise RuntimeError(f'{name}.py exited with code {code}; see '
                           f'{log_file}')


def checkpoint_epoch(path: str) -> int:
    match = re.search(r'epoch_(\d+)\.pth$', path)
    return int(match.group(1)) if match else -1


def select_checkpoint(work_dir: str) -> Tuple[str, str, int]:
    """The validation-selected checkpoint: (path, kind, epoch).

    ``kind`` is 'best_val' for the CheckpointHook's ``best_*`` file, or
    'last_NO_VAL_SELECTION' (with a loud warning) when there is none.
    """
    best = sorted(
        glob.glob(osp.join(work_dir, 'best_*_epoch_*.pth')),
        key=checkpoint_epoch)
    if best:
        return best[-1], 'best_val', checkpoint_epoch(best[-1])
    last = sorted(
        glob.glob(osp.join(work_dir, 'epoch_*.pth')), key=checkpoint_epoch)
    if not last:
        raise FileNotFoundError(f'No checkpoint in {work_dir}.')
    logger.warning(
        '!' * 70 + f'\nNO VALIDATION-SELECTED CHECKPOINT in {work_dir}: the '
        'config saves no best_* checkpoint (CheckpointHook save_best), or '
        'validation was off. FALLING BACK TO THE LAST CHECKPOINT '
        f'{osp.basename(last[-1])}; its result is marked '
        "'last_NO_VAL_SELECTION'.\n" + '!' * 70)
    return last[-1], 'last_NO_VAL_SELECTION', checkpoint_epoch(last[-1])


def val_metrics_at(work_dir: str, epoch: int) -> Dict[str, float]:
    """Validation metrics logged at ``epoch`` (from the training run's
    ``vis_data/scalars.json``), or {} if none were logged."""
    found = {}
    for entry in val_entries(work_dir):
        if entry.get('step') == epoch:
            found = {
                k: v
                for k, v in entry.items()
                if k not in ('step', 'time', 'data_time')
            }
    return found


def execute_run(spec: dict, args) -> dict:
    """Train, select on val, test; return (and store) the result."""
    run_dir = spec['run_dir']
    os.makedirs(run_dir, exist_ok=True)
    failed = osp.join(run_dir, FAILED_FILE)
    if osp.exists(failed):
        os.remove(failed)
    cfg = build_run_config(spec)
    if spec.get('load_from_method'):
        cfg.load_from = last_checkpoint_of(source_run_dir(spec))
    config_path = osp.join(run_dir, 'config.py')
    cfg.dump(config_path)
    work_dir = osp.join(run_dir, 'train')
    train_args = [config_path, '--work-dir', work_dir]
    if osp.isfile(osp.join(work_dir, 'last_checkpoint')):
        # an interrupted run continues where its last checkpoint left it
        train_args.append('--resume')
    start = time.time()
    run_tool('train', train_args, osp.join(run_dir, 'train.log'), args)
    train_wall = max(time.time() - start, logged_train_seconds(work_dir))

    checkpoint, kind, epoch = select_checkpoint(work_dir)
    val = val_metrics_at(work_dir, epoch)
    metrics_file = osp.join(run_dir, 'test_metrics.json')
    start = time.time()
    # its own experiment name: an --in-process train launch of this run in
    # the same second would otherwise get the test Runner's logger
    run_tool('test', [
        config_path, checkpoint, '--work-dir',
        osp.join(run_dir, 'test'), '--out', metrics_file, '--out-item',
        'metrics', '--cfg-options',
        f'experiment_name={cfg.experiment_name}_test'
    ], osp.join(run_dir, 'test.log'), args)
    test_wall = time.time() - start
    with open(metrics_file) as f:
        test = json.load(f)
    result = dict(
        spec=result_relevant(spec),
        method=spec['method'],
        setting=spec['setting'],
        grid=spec['grid'],
        color_var=spec['color_var'],
        seed=spec['seed'],
        epochs=cfg.train_cfg.get('max_epochs'),
        checkpoint=osp.relpath(checkpoint, run_dir),
        checkpoint_kind=kind,
        checkpoint_epoch=epoch,
        load_from=cfg.get('load_from'),
        val=val,
        test=test,
        train_wall_s=round(train_wall, 1),
        test_wall_s=round(test_wall, 1),
        wall_s=round(train_wall + test_wall, 1),
        run_dir=run_dir,
        finished_at=time.strftime('%Y-%m-%d %H:%M:%S'))
    write_json_atomic(osp.join(run_dir, RESULT_FILE), result)
    return result


LOG_TIME = re.compile(r'^(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d) - mmengine')


def logged_train_seconds(work_dir: str) -> float:
    """Wall seconds of training summed over the MMEngine log files of
    ``work_dir`` (one per launch), so a run resumed after an interruption
    counts every piece: the span from first to last timestamp of each."""
    total = 0.0
    for path in glob.glob(osp.join(work_dir, '*', '*.log')):
        stamps = []
        with open(path, errors='replace') as f:
            for line in f:
                match = LOG_TIME.match(line)
                if match:
                    stamps.append(match.group(1))
        if len(stamps) >= 2:
            first, last = (time.mktime(time.strptime(t, '%Y/%m/%d %H:%M:%S'))
                           for t in (stamps[0], stamps[-1]))
            total += last - first
    return total


def write_json_atomic(path: str, data: dict) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, sort_keys=True,
                                       default=str))


def run_grid(args) -> List[dict]:
    """Run every unfinished run of the grid; return the failures."""
    runs = plan_runs(args)
    check_grid_keys(runs)
    failures = []
    for index, spec in enumerate(runs, 1):
        name = osp.relpath(spec['run_dir'], osp.abspath(args.work_root))
        done = None if args.force else load_finished(spec)
        if done is not None:
            logger.info(f'[{index}/{len(runs)}] {name}: finished, skipped')
            continue
        if args.dry_run:
            logger.info(f'[{index}/{len(runs)}] {name}: to run')
            continue
        logger.info(f'[{index}/{len(runs)}] {name}: running ...')
        try:
            result = execute_run(spec, args)
        except Exception as error:
            logger.error(f'[{index}/{len(runs)}] {name}: FAILED: {error}')
            write_json_atomic(
                osp.join(spec['run_dir'], FAILED_FILE),
                dict(
                    error=repr(error),
                    traceback=traceback.format_exc(),
                    spec=result_relevant(spec)))
            failures.append(dict(run=name, error=repr(error)))
            continue
        logger.info(
            f'[{index}/{len(runs)}] {name}: test {args.metric_key} = '
            f'{result["test"].get(args.metric_key)}, val = '
            f'{result["val"].get(args.metric_key)} ({result["checkpoint"]}, '
            f'{result["wall_s"]} s)')
    return failures


def main(argv=None) -> int:
    """Run (unless --summarize-only) and summarise; 1 if a run failed."""
    setup_logger()
    args = parse_args(argv)
    os.makedirs(args.work_root, exist_ok=True)
    failures = []
    if not args.summarize_only:
        failures = run_grid(args)
    if args.dry_run:
        return 0
    summarize(args)
    if failures:
        logger.error(f'{len(failures)} run(s) failed (they rerun next time): '
                     + '; '.join(f['run'] for f in failures))
        return 1
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except UserError as error:  # a wrong option: its message, no traceback
        sys.exit(f'ERROR: {error}')
