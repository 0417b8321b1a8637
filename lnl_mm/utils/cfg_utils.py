"""Config edits shared by ``tools/train.py`` and ``tools/test.py``."""
import difflib
import inspect
import logging
import os
import os.path as osp
import re
from typing import List, Optional

import torch
from mmengine.config import Config, ConfigDict
from mmengine.logging import print_log
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

DEFAULT_SCOPE = 'mmpretrain'
DATALOADER_FIELDS = ('train_dataloader', 'val_dataloader', 'test_dataloader')
#: The errors by which a constructor refuses its arguments (OpenMMLab's
#: classes often ``assert`` them).
ARGUMENT_ERRORS = (TypeError, ValueError, KeyError, AssertionError)


def setup_default_scope(cfg: Config, scope: str = DEFAULT_SCOPE) -> Config:
    """Set ``cfg.default_scope`` to ``scope`` (mmpretrain) if it is unset.

    Args:
        cfg (Config): The config, edited in place.
        scope (str): The registry scope to use. Defaults to 'mmpretrain'.
    """
    if cfg.get('default_scope') is None:
        cfg.default_scope = scope
    return cfg


def setup_work_dir(cfg: Config, config_path: str,
                   work_dir: Optional[str] = None) -> Config:
    """Choose the work dir: CLI, then the config, then the config's name.

    Args:
        cfg (Config): The config, edited in place.
        config_path (str): Path of the config file; its base name gives the
            default ``./work_dirs/<name>``.
        work_dir (str, optional): The ``--work-dir`` argument.
    """
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        name = osp.splitext(osp.basename(config_path))[0]
        cfg.work_dir = osp.join('./work_dirs', name)
    return cfg


def set_dataloader_defaults(cfg: Config,
                            field: str,
                            pin_memory: bool = True,
                            persistent_workers: Optional[bool] = None
                            ) -> None:
    """Fill the usual OpenMMLab dataloader defaults of ``cfg[field]``.

    ``pin_memory``, ``persistent_workers`` (when given) and
    ``collate_fn=default_collate`` become defaults that the config's own
    values override. A False ``pin_memory``/``persistent_workers`` argument
    (``--no-pin-memory``, ``--no-persistent-workers``) always wins.

    Args:
        cfg (Config): The config, edited in place.
        field (str): e.g. 'train_dataloader'. Missing or None fields are
            skipped.
        pin_memory (bool): True keeps the default (on when CUDA is
            available), False forces it off.
        persistent_workers (bool, optional): Default, or False to force it
            off. None leaves it out (the test tool's behaviour).
    """
    if cfg.get(field) is None:
        return
    # Pinning only helps when batches go to an accelerator; on a CPU-only
    # machine PyTorch warns about it at every epoch.
    loader = ConfigDict(
        pin_memory=torch.cuda.is_available(),
        collate_fn=dict(type='default_collate'))
    if persistent_workers is not None:
        loader.persistent_workers = True
    loader.update(cfg[field])
    if not pin_memory:
        loader.pin_memory = False
    if persistent_workers is False:
        loader.persistent_workers = False
    cfg[field] = loader


def disable_persistent_workers_without_workers(cfg: Config) -> Config:
    """Turn ``persistent_workers`` off for dataloaders with no workers.

    ``torch.utils.data.DataLoader`` raises if ``persistent_workers=True``
    while ``num_workers=0``; this keeps such configs (or ``--cfg-options
    train_dataloader.num_workers=0``) runnable.

    Args:
        cfg (Config): The config, edited in place.
    """
    for field in DATALOADER_FIELDS:
        loader = cfg.get(field)
        if loader is None or not loader.get('persistent_workers', False):
            continue
        if loader.get('num_workers', 0) == 0:
            loader.persistent_workers = False
            print_log(
                f'{field}: num_workers=0, so persistent_workers is set to '
                'False (DataLoader refuses persistent workers without '
                'workers).',
                logger='current',
                level=logging.DEBUG)
    return cfg


def auto_num_workers(cpus: Optional[int] = None,
                     local_world_size: Optional[int] = None) -> int:
    """Dataloader workers for ``num_workers='auto'``: none when a process
    has fewer than 4 CPU cores (workers would take cores from the compute,
    which is slower for in-memory data such as Colored MNIST), else half of
    its cores, at most 8.

    Args:
        cpus (int, optional): Usable cores; defaults to this process's CPU
            affinity.
        local_world_size (int, optional): Processes on this machine;
            defaults to ``$LOCAL_WORLD_SIZE`` (set by torchrun), else 1.
    """
    if cpus is None:
        cpus = len(os.sched_getaffinity(0)) if hasattr(
            os, 'sched_getaffinity') else (os.cpu_count() or 1)
    if local_world_size is None:
        local_world_size = int(os.environ.get('LOCAL_WORLD_SIZE', 1))
    per_process = cpus // max(1, local_world_size)
    return 0 if per_process < 4 else min(8, per_process // 2)


def finalize_dataloaders(cfg: Config) -> Config:
    """Last edits of the dataloaders before the Runner is built: resolve
    ``num_workers='auto'`` (:func:`auto_num_workers`), then turn
    ``persistent_workers`` off where there are no workers.

    Args:
        cfg (Config): The config, edited in place.
    """
    for field in DATALOADER_FIELDS:
        loader = cfg.get(field)
        if loader is not None and loader.get('num_workers') == 'auto':
            loader.num_workers = auto_num_workers()
            print_log(f'{field}: num_workers=auto -> {loader.num_workers}',
                      logger='current', level=logging.DEBUG)
    return disable_persistent_workers_without_workers(cfg)


def build_runner(cfg: Config):
    """Build the Runner (or the config's ``runner_type``) from ``cfg``, with
    MMEngine reading local checkpoints through :func:`read_checkpoint`."""
    from .checkpoint_io import register_checkpoint_loader
    register_checkpoint_loader()
    if 'runner_type' in cfg:
        return RUNNERS.build(cfg)
    return Runner.from_cfg(cfg)


def _init_arguments(cls) -> List[str]:
    """Names of the keyword arguments of ``cls``'s ``__init__`` and its
    bases'."""
    names = []
    for klass in cls.__mro__:
        init = klass.__dict__.get('__init__')
        if init is None or klass is object:
            continue
        for name, param in inspect.signature(init).parameters.items():
            if name != 'self' and param.kind not in (
                    param.VAR_POSITIONAL, param.VAR_KEYWORD) and \
                    name not in names:
                names.append(name)
    return names


def _explain_build_error(field: str, cls, error: Exception,
                         name_paths: bool = False) -> str:
    """The message of a constructor's error, naming the config field; for
    an unknown argument, the closest known one.

    With ``name_paths``, a message about one of ``cls``'s arguments
    (``'Owner: name=value ...'`` or ``'name.sub=value ...'``, as
    :mod:`lnl_mm.utils.arg_checks` writes them) names that argument by its
    config path: ``'model.bias_steps=0 must be ...'``.
    """
    unknown = re.search(r"unexpected keyword argument '(\w+)'", str(error))
    if isinstance(error, TypeError) and unknown:
        name, accepted = unknown.group(1), _init_arguments(cls)
        close = difflib.get_close_matches(name, accepted, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ''
        return (f'{field}: {cls.__name__} has no option '
                f'{name!r}{hint}. Its options: {", ".join(accepted)}.')
    message = error.args[0] if isinstance(error, KeyError) and error.args \
        else error
    if not str(message):
        message = (f'{type(error).__name__}: the constructor refused these '
                   'arguments')
    if name_paths:
        message = str(message)
        owner = f'{cls.__name__}: '
        if message.startswith(owner):
            message = message[len(owner):]
        argument = re.match(r'(\w+)[.=]', message)
        if argument and argument.group(1) in _init_arguments(cls):
            return f'{field}.{message}'
    return f'{field} ({cls.__name__}): {message}'


def _build_checked(field: str, cls, args: dict, name_paths: bool = False):
    """Return ``cls(**args)``; a constructor's refusal (one of
    :data:`ARGUMENT_ERRORS`) becomes a ``ConfigError`` naming ``field``
    (see :func:`_explain_build_error`)."""
    from .errors import ConfigError, UserError
    try:
        return cls(**args)
    except UserError:
        raise
    except ARGUMENT_ERRORS as error:
        raise ConfigError(
            _explain_build_error(field, cls, error, name_paths)) from None


def init_scope(cfg: Config) -> None:
    """Make the config's registry scope (default: mmpretrain) the current
    one, so that its type names resolve as in the Runner."""
    from mmengine.registry import init_default_scope
    init_default_scope(cfg.get('default_scope') or DEFAULT_SCOPE)


def _registered_class(spec, registry):
    """The class a ``dict(type=...)`` config names, or None (not a config
    dict, or a type the registry does not know: the Runner names it)."""
    if not isinstance(spec, dict) or 'type' not in spec:
        return None
    cls = spec['type']
    if isinstance(cls, str):
        cls = registry.get(cls)
    return cls if isinstance(cls, type) else None


def check_dataset_cfgs(cfg: Config, fields=DATALOADER_FIELDS) -> dict:
    """Check the dataset options of the dataloaders ``fields`` before the
    tools write anything.

    Each dataset whose class takes ``lazy_init`` (MMEngine's
    ``BaseDataset`` and its subclasses, e.g. ``ColoredMNIST``) is built with
    ``lazy_init=True``: its arguments and pipeline are checked, no data is
    read. A wrong argument name or value raises a
    :class:`~lnl_mm.utils.errors.ConfigError` naming the config field, with
    the closest argument name for a typo. Other datasets (wrappers, unknown
    types) are left to the Runner.

    Returns:
        dict: ``{field: dataset}``, the datasets built (lazily), whose
        ``metainfo`` the model is checked against.
    """
    from mmpretrain.registry import DATASETS
    init_scope(cfg)
    built = {}
    for field in fields:
        dataset = (cfg.get(field) or {}).get('dataset')
        cls = _registered_class(dataset, DATASETS)
        if cls is None or 'lazy_init' not in _init_arguments(cls):
            continue
        args = {k: v for k, v in dataset.items() if k != 'type'}
        if 'dataset' in args or 'datasets' in args:
            continue  # a wrapper: it would build (and load) what it wraps
        built[field] = _build_checked(f'{field}.dataset', cls,
                                      dict(args, lazy_init=True))
    return built


def _takes_any_keyword(cls) -> bool:
    """Whether ``cls.__init__`` (or a base's, reached through ``**kwargs``)
    may accept names it does not list."""
    for klass in cls.__mro__:
        init = klass.__dict__.get('__init__')
        if init is None or klass is object:
            continue
        params = inspect.signature(init).parameters.values()
        if not any(p.kind == p.VAR_KEYWORD for p in params):
            return False
    return True


def check_hook_cfgs(cfg: Config) -> None:
    """Check the options of the config's ``default_hooks`` and
    ``custom_hooks`` before the tools write anything.

    Every hook's option names are checked against its constructor's
    arguments; lnl_mm's own hooks, whose constructors only check and store
    their arguments, are also built once, which checks the values. A wrong
    option raises a :class:`~lnl_mm.utils.errors.ConfigError` naming the
    field (e.g. ``default_hooks.non_finite``), with the closest argument
    name for a typo.
    """
    from mmpretrain.registry import HOOKS
    from .errors import ConfigError
    init_scope(cfg)
    hooks = [(f'default_hooks.{name}', hook)
             for name, hook in (cfg.get('default_hooks') or {}).items()]
    hooks += [(f'custom_hooks[{index}]', hook)
              for index, hook in enumerate(cfg.get('custom_hooks') or [])]
    for field, hook in hooks:
        cls = _registered_class(hook, HOOKS)
        if cls is None:
            continue
        args = {k: v for k, v in hook.items()
                if k not in ('type', 'priority')}
        accepted = _init_arguments(cls)
        unknown = [name for name in args if name not in accepted]
        if unknown and not _takes_any_keyword(cls):
            error = TypeError(f"unexpected keyword argument '{unknown[0]}'")
            raise ConfigError(_explain_build_error(field, cls, error))
        if cls.__module__.startswith('lnl_mm.'):
            _build_checked(field, cls, args)
