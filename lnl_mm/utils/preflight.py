"""The tools' checks of a whole config before anything is built or written.

:func:`check_config` runs, in this order, and stops at the first mistake
with a :class:`~lnl_mm.utils.errors.ConfigError` whose one-line message
names the config field(s) as the user writes them (``model.bias_steps``,
``train_dataloader.batch_size``), both values where two disagree, and the
fix:

1. the datasets' own arguments (:func:`~lnl_mm.utils.cfg_utils.
   check_dataset_cfgs`: built with ``lazy_init=True``, no data read), then
   their files (:func:`check_data_files`: file-system checks only, e.g. a
   ``BiasedImageDataset``'s annotation files, ``ColoredMNIST``'s IDX files
   when it does not download them; a missing file raises a
   :class:`~lnl_mm.utils.errors.DataFileNotFoundError` naming the field,
   what ``data_root`` holds and the fix);
2. the dataloaders' and, for training, the loop's and the optimizers' basic
   values (``batch_size``, ``num_workers``, ``max_epochs``, ``lr``,
   ``momentum``, ``weight_decay``...; each optimizer is also built on one
   dummy parameter, so PyTorch's own checks and option names apply);
3. the model's own arguments: the model is built as the Runner would build
   it, on PyTorch's ``meta`` device where its constructor allows (no
   memory, no weight initialisation), so every constructor's own validation
   runs; a failure is traced to the sub-config that causes it
   (``model.bias_head`` rather than ``model``);
4. the model against the data: the label head's ``num_classes`` against the
   datasets' classes, the bias head against the targets it learns (colour
   bins and ignore index of ``color_target``, bias classes of
   ``bias_label``) and their packing in the training pipeline, the image
   channels against the backbone's input, and, for ``BiasedImageDataset``,
   the labels of its annotation file against its classes (a scan of the
   text file, skipped above :data:`ANNOTATION_SCAN_MAX_BYTES`);
5. for training, the optimizers against the model (the two optimizers of
   ``LNTLClassifier``, the modules ``LNTLOptimWrapperConstructor`` gives to
   the ``bias`` optimizer);
6. the hooks' options (:func:`~lnl_mm.utils.cfg_utils.check_hook_cfgs`).

Nothing here reads images or writes files; on the shipped configs the
checks take about 0.01 s; a ResNet, whose constructor computes with real
tensors, is built on the CPU (about 0.1 s for the ResNet-18 configs).
"""
import copy
import inspect
import logging
import os.path as osp
import time
from typing import Dict, Optional, Sequence

import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.logging import print_log

from .amp import named_optim_wrapper_cfgs
from .arg_checks import check_int, check_number
from .cfg_utils import (ARGUMENT_ERRORS, DATALOADER_FIELDS,
                        _build_checked, _explain_build_error,
                        _init_arguments, _registered_class,
                        check_dataset_cfgs, check_hook_cfgs, init_scope)
from .errors import ConfigError, DataError, UserError

#: The dataloaders a training run uses (tools/train.py checks these).
TRAIN_FIELDS = ('train_dataloader', 'val_dataloader')
#: Annotation files larger than this are not scanned before training (the
#: dataset checks them when it loads).
ANNOTATION_SCAN_MAX_BYTES = 8 << 20
#: Channels of the images of datasets that hold them in memory (no
#: ``LoadImageFromFile`` in the pipeline).
IN_MEMORY_IMAGE_CHANNELS = {'ColoredMNIST': 3}
#: Value ranges of optimizer options: ``name: (low, high, hint)``.
OPTIMIZER_VALUES = {
    'lr': (0, None, 'the learning rate; the recipes use 0.01'),
    'momentum': (0, 1, 'the recipes use 0.9'),
    'dampening': (0, 1, ''),
    'weight_decay': (0, None, 'the recipes use 5e-4'),
    'eps': (0, None, 'a small number added for stability, e.g. 1e-8'),
}


def check_config(cfg: Config, fields: Sequence[str] = TRAIN_FIELDS,
                 training: bool = True, data_files: bool = True) -> None:
    """Check ``cfg`` before the tools build anything (see the module).

    Args:
        cfg (Config): The config, after the command line is merged into it
            (``num_workers='auto'`` resolved).
        fields (Sequence[str]): The dataloaders the run uses.
        training (bool): Also check what only training uses: the loop's
            counts and the optimizers.
        data_files (bool): Also check that the datasets' files exist
            (:func:`check_data_files`); off, only the config is checked.

    Raises:
        ConfigError: At the first mistake, naming the config field(s).
        DataError: A dataset's files are missing or cannot be read (a
            :class:`~lnl_mm.utils.errors.DataFileNotFoundError` when
            missing), naming the field.
    """
    start = time.perf_counter()
    datasets = check_dataset_cfgs(cfg, fields)
    if data_files:
        check_data_files(datasets)
    check_dataloader_cfgs(cfg, fields)
    if training:
        check_train_loop_cfg(cfg)
        check_optimizer_cfgs(cfg)
    model = check_model_cfg(cfg)
    if model is not None:
        check_model_against_data(cfg, model, datasets,
                                 train_fields=fields if training else ())
        if training:
            check_optimizers_against_model(cfg, model)
    check_hook_cfgs(cfg)
    print_log(f'Config checks passed in {time.perf_counter() - start:.3f} '
              's.', logger='current', level=logging.DEBUG)


def check_data_files(datasets: Dict[str, object]) -> None:
    """Run the ``check_data_files()`` of each lazily built dataset of
    ``datasets`` (``{field: dataset}``) that has one: file-system checks of
    the files it will read (exist, are files, can be read), nothing opened.

    Raises:
        DataError: Of the type the dataset raises, its message prefixed
            with the field: ``train_dataloader.dataset (ColoredMNIST): ...``.
    """
    for field, dataset in datasets.items():
        check = getattr(dataset, 'check_data_files', None)
        if not callable(check):
            continue
        try:
            check()
        except DataError as error:
            raise type(error)(f'{field}.dataset ({type(dataset).__name__}): '
                              f'{error}') from None


# ----------------------------------------------------------------------
# dataloaders, training loop and optimizers
# ----------------------------------------------------------------------
def check_dataloader_cfgs(cfg: Config,
                          fields: Sequence[str] = DATALOADER_FIELDS) -> None:
    """``batch_size`` (an integer >= 1) and ``num_workers`` (>= 0) of the
    dataloaders ``fields``."""
    for field in fields:
        loader = cfg.get(field)
        if not isinstance(loader, dict):
            continue
        if 'batch_size' in loader:
            check_int(f'{field}.batch_size', loader['batch_size'], low=1,
                      hint='samples per batch and process; the recipes '
                      'use 128', error=ConfigError)
        if 'num_workers' in loader:
            check_int(f'{field}.num_workers', loader['num_workers'], low=0,
                      hint="worker processes; 0 loads in the main process, "
                      "'auto' follows the machine", error=ConfigError)


def check_train_loop_cfg(cfg: Config) -> None:
    """``train_cfg``'s ``max_epochs``, ``max_iters`` and ``val_interval``
    (integers >= 1)."""
    train_cfg = cfg.get('train_cfg')
    if not isinstance(train_cfg, dict):
        return
    for key in ('max_epochs', 'max_iters', 'val_interval'):
        if key in train_cfg:
            check_int(f'train_cfg.{key}', train_cfg[key], low=1,
                      error=ConfigError)


def check_optimizer_cfgs(cfg: Config) -> None:
    """The options of every optimizer of ``cfg.optim_wrapper``: the value
    ranges of :data:`OPTIMIZER_VALUES` and ``betas``, then the optimizer
    class itself, built on one dummy parameter (its option names and its
    own checks), and each wrapper's ``accumulative_counts``."""
    from mmpretrain.registry import OPTIMIZERS
    init_scope(cfg)
    optim_wrapper = cfg.get('optim_wrapper')
    if not isinstance(optim_wrapper, dict):
        return
    for path, wrapper in named_optim_wrapper_cfgs(optim_wrapper):
        optimizer = wrapper.get('optimizer')
        if isinstance(optimizer, dict):
            _check_optimizer(f'{path}.optimizer', optimizer, OPTIMIZERS)
        if 'accumulative_counts' in wrapper:
            check_int(f'{path}.accumulative_counts',
                      wrapper['accumulative_counts'], low=1,
                      hint='iterations whose gradients make one step',
                      error=ConfigError)


def _check_optimizer(path: str, spec: dict, registry) -> None:
    for name, (low, high, hint) in OPTIMIZER_VALUES.items():
        if name in spec:
            check_number(f'{path}.{name}', spec[name], low, high, hint=hint,
                         error=ConfigError)
    betas = spec.get('betas')
    if betas is not None:
        if not isinstance(betas, (list, tuple)) or len(betas) != 2:
            raise ConfigError(f'{path}.betas={betas!r} must be two numbers '
                              'in [0, 1), e.g. (0.9, 0.999).')
        for index, beta in enumerate(betas):
            check_number(f'{path}.betas[{index}]', beta, 0, 1,
                         hint='e.g. (0.9, 0.999)', error=ConfigError)
    cls = _registered_class(spec, registry)
    if cls is not None and issubclass(cls, torch.optim.Optimizer):
        args = {k: v for k, v in spec.items() if k != 'type'}
        dummy = [torch.zeros(1, requires_grad=True)]
        _build_checked(path, cls, dict(args, params=dummy), name_paths=True)


def check_optimizers_against_model(cfg: Config, model: nn.Module) -> None:
    """The optimizers the model needs: ``LNTLClassifier`` trains with two
    (``main`` and ``bias``), and lnl_mm's optimizer-wrapper constructor
    (built from its config) must find the modules it gives to ``bias``."""
    from mmpretrain.registry import OPTIM_WRAPPER_CONSTRUCTORS

    from ..models.classifiers.lntl_classifier import (TWO_OPTIMIZERS_FIX,
                                                      LNTLClassifier)
    init_scope(cfg)
    optim_wrapper = cfg.get('optim_wrapper')
    if not isinstance(optim_wrapper, dict):
        return
    if isinstance(model, LNTLClassifier) and not {
            'main', 'bias'} <= set(optim_wrapper):
        raise ConfigError(
            'model (LNTLClassifier) trains with two optimizers, "main" for '
            'f+g and "bias" for h, but optim_wrapper has '
            f'{sorted(optim_wrapper)}. {TWO_OPTIMIZERS_FIX}')
    constructor = optim_wrapper.get('constructor')
    cls = _registered_class(dict(type=constructor),
                            OPTIM_WRAPPER_CONSTRUCTORS) \
        if constructor else None
    if cls is None or not cls.__module__.startswith('lnl_mm.'):
        return
    args = {k: v for k, v in optim_wrapper.items()
            if k not in ('constructor', 'paramwise_cfg')}
    built = _build_checked(
        'optim_wrapper', cls, dict(optim_wrapper_cfg=args,
                                   paramwise_cfg=optim_wrapper.get(
                                       'paramwise_cfg')))
    split = getattr(built, 'split_modules', None)
    if split is not None:
        try:
            split(model)
        except ValueError as error:
            raise ConfigError(f'optim_wrapper ({cls.__name__}): '
                              f'{_drop_owner(str(error), cls)}') from None


def _drop_owner(message: str, cls) -> str:
    owner = f'{cls.__name__}: '
    return message[len(owner):] if message.startswith(owner) else message


# ----------------------------------------------------------------------
# the model's own arguments
# ----------------------------------------------------------------------
def model_cfg_of(cfg: Config) -> Optional[dict]:
    """A copy of ``cfg.model`` with the top-level ``data_preprocessor``
    merged in, as the Runner builds it; None without a model dict."""
    model = cfg.get('model')
    if not isinstance(model, dict):
        return None
    model = copy.deepcopy(model)
    if cfg.get('data_preprocessor') is not None:
        model.setdefault('data_preprocessor',
                         copy.deepcopy(cfg.data_preprocessor))
    return model


def _construct(cls, args: dict):
    """``cls(**args)`` on the meta device (no memory, no weight
    initialisation), or on the CPU where the constructor computes with
    tensors (ResNet's drop-path rates)."""
    try:
        with torch.device('meta'):
            return cls(**copy.deepcopy(args))
    except (RuntimeError, NotImplementedError):
        return cls(**copy.deepcopy(args))


def _buildable_alone(spec) -> bool:
    """Whether ``spec`` configures a module that can be built on its own:
    a registered ``nn.Module`` whose required arguments it gives (a
    sub-config, not e.g. a ``norm_cfg`` that its owner completes)."""
    from mmpretrain.registry import MODELS
    cls = _registered_class(spec, MODELS)
    if cls is None or not issubclass(cls, nn.Module):
        return False
    params = inspect.signature(cls.__init__).parameters.values()
    return all(p.name in spec for p in list(params)[1:]
               if p.default is p.empty
               and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))


def _locate_build_error(path: str, spec: dict):
    """``(path, cls, error)`` of the deepest sub-config of ``spec`` whose
    own build fails, or None."""
    from mmpretrain.registry import MODELS
    args = {k: v for k, v in spec.items() if k != 'type'}
    for key, value in args.items():
        if _buildable_alone(value):
            found = _locate_build_error(f'{path}.{key}', value)
            if found is not None:
                return found
    cls = _registered_class(spec, MODELS)
    try:
        _construct(cls, args)
    except UserError:
        raise
    except ARGUMENT_ERRORS as error:
        return path, cls, error
    except Exception:  # noqa: BLE001  not a config mistake
        return None
    return None


def check_model_cfg(cfg: Config) -> Optional[nn.Module]:
    """Build ``cfg.model`` (see the module) and return it, or None when
    the model is not a registered class or its constructor fails for a
    reason other than its arguments (the Runner reports it).

    Raises:
        ConfigError: A constructor refuses an argument; the message names
            the sub-config (``model.bias_head.num_bins=...``).
    """
    from mmpretrain.registry import MODELS
    init_scope(cfg)
    spec = model_cfg_of(cfg)
    cls = _registered_class(spec, MODELS)
    if cls is None:
        return None
    args = {k: v for k, v in spec.items() if k != 'type'}
    try:
        return _construct(cls, args)
    except UserError:
        raise
    except ARGUMENT_ERRORS as error:
        found = _locate_build_error('model', spec) or ('model', cls, error)
        raise ConfigError(_explain_build_error(*found,
                                               name_paths=True)) from None
    except Exception as error:  # noqa: BLE001  left to the Runner
        print_log(f'The model was not checked before building the Runner '
                  f'({type(error).__name__}: {error}).', logger='current',
                  level=logging.DEBUG)
        return None


# ----------------------------------------------------------------------
# the model against the data
# ----------------------------------------------------------------------
def check_model_against_data(cfg: Config, model: nn.Module,
                             datasets: Dict[str, object],
                             train_fields: Sequence[str] = ()) -> None:
    """Check the built ``model`` against each lazily built dataset of
    ``datasets`` (``{field: dataset}``, from
    :func:`~lnl_mm.utils.cfg_utils.check_dataset_cfgs`); see the module.
    The bias head's target must be packed by the pipelines of
    ``train_fields``."""
    path, spec = 'model', model_cfg_of(cfg)
    if isinstance(getattr(model, 'module', None), nn.Module):
        # a test-time-augmentation wrapper
        model, path, spec = model.module, 'model.module', spec['module']
    preprocessor = f'{path}.data_preprocessor' if 'data_preprocessor' in \
        (cfg.get('model') or {}) else 'data_preprocessor'  # as written
    for field, dataset in datasets.items():
        where = f'{field}.dataset'
        meta = dataset.metainfo
        _check_label_head(path, getattr(model, 'head', None), where,
                          dataset, cfg[field].dataset)
        bias_head = getattr(model, 'bias_head', None)
        target = getattr(bias_head, 'target_key', None)
        if target in BIAS_TARGET_CHECKS:
            BIAS_TARGET_CHECKS[target](f'{path}.bias_head', bias_head,
                                       where, dataset, meta)
            if field in train_fields:
                _check_packed(f'{path}.bias_head', target, where, dataset)
        _check_image_channels(path, model, spec.get('backbone'),
                              preprocessor, where, dataset)
        _scan_annotation(where, dataset)


def _check_label_head(path, head, where, dataset, dataset_cfg) -> None:
    num_classes = getattr(head, 'num_classes', None)
    classes = dataset.metainfo.get('classes')
    if not isinstance(num_classes, int) or classes is None or \
            num_classes == len(classes):
        return
    num, kind = len(classes), type(dataset).__name__
    if 'classes' in dataset_cfg:  # the user's own classes
        data = (f'{where}.classes={dataset_cfg["classes"]!r} ({kind}: {num} '
                f'classes, labels 0..{num - 1})')
        other = (f", or the dataset's classes in every dataloader if the "
                 f'data has {num_classes} classes')
    else:
        data = f'{where} ({kind}) has {num} classes (labels 0..{num - 1})'
        other = ''
    raise ConfigError(
        f'{path}.head.num_classes={num_classes}, but {data}; set '
        f'{path}.head.num_classes={num}{other}.')


def _check_color_target_head(path, head, where, dataset, meta) -> None:
    """A per-pixel colour head (``BiasPredictionHead``) against the colour
    targets the dataset makes (``ColoredMNIST``: ``num_color_bins`` bins
    per RGB channel, ``color_ignore_index`` for background pixels)."""
    kind = type(dataset).__name__
    bins = meta.get('num_color_bins')
    if bins is None:
        raise ConfigError(
            f'{path} ({type(head).__name__}) learns per-pixel colour '
            f"targets ('color_target'), which {where} ({kind}) does not "
            'make (ColoredMNIST does); use a BiasClassificationHead with '
            "target_key='bias_label' (as configs/"
            'lnl_cmnist_image_bias_png.py does).')
    if getattr(head, 'num_bins', bins) != bins:
        raise ConfigError(
            f'{path}.num_bins={head.num_bins}, but {where} ({kind}) makes '
            f'colour targets with num_color_bins={bins} bins per channel; '
            f'set {path}.num_bins={bins}, or num_color_bins={head.num_bins}'
            " in every dataloader's dataset.")
    ignore = meta.get('color_ignore_index')
    if ignore is not None and getattr(head, 'ignore_index', ignore) != ignore:
        raise ConfigError(
            f'{path}.ignore_index={head.ignore_index}, but {where} ({kind}) '
            f'marks the background pixels, which the head must not score, '
            f'with color_ignore_index={ignore}; set '
            f'{path}.ignore_index={ignore}.')
    channels = getattr(head, 'num_channels', 3)
    if channels != 3:
        raise ConfigError(
            f'{path}.num_channels={channels}, but the colour targets of '
            f'{where} ({kind}) have 3 channels (R, G, B); set '
            f'{path}.num_channels=3.')


def bias_classes_of(meta: dict) -> Optional[int]:
    """The number of bias classes (``bias_label`` values) a dataset's
    metainfo declares: its ``bias_classes`` (``BiasedImageDataset``), else
    its ``palette`` (``ColoredMNIST``: the index of the digit's mean
    colour); None if it declares neither."""
    for key in ('bias_classes', 'palette'):
        if meta.get(key) is not None:
            return len(meta[key])
    return None


def _check_bias_label_head(path, head, where, dataset, meta) -> None:
    """A per-image bias classifier (``BiasClassificationHead``) against
    the dataset's bias classes."""
    num = bias_classes_of(meta)
    wanted = getattr(head, 'num_classes', None)
    if num is None or wanted is None or wanted == num:
        return
    kind = type(dataset).__name__
    if meta.get('bias_classes') is not None:
        data = (f'{where} ({kind}) has {num} bias classes (bias_classes, '
                f'bias labels 0..{num - 1})')
        other = (f", or the dataset's bias_classes={wanted} in every "
                 'dataloader if the data has that many')
    else:
        data = (f'{where} ({kind}) has {num} bias classes (bias_label is '
                f'the index of one of its {num} palette colours)')
        other = ''
    raise ConfigError(f'{path}.num_classes={wanted}, but {data}; set '
                      f'{path}.num_classes={num}{other}.')


#: The checks of a bias head against the data, by the sample field it
#: learns (its ``target_key``).
BIAS_TARGET_CHECKS = {
    'color_target': _check_color_target_head,
    'bias_label': _check_bias_label_head,
}


def _transforms(dataset) -> list:
    return list(getattr(getattr(dataset, 'pipeline', None), 'transforms',
                        None) or [])


def _check_packed(path, target, where, dataset) -> None:
    """The training pipeline must pack the bias head's target."""
    packers = [t for t in _transforms(dataset)
               if hasattr(t, 'algorithm_keys')]
    if packers and target not in packers[-1].algorithm_keys:
        raise ConfigError(
            f"{path} learns {target!r}, but the PackInputs of "
            f'{where}.pipeline does not pack it (algorithm_keys='
            f'{tuple(packers[-1].algorithm_keys)}); add {target!r} to its '
            'algorithm_keys.')


def image_channels_of(dataset) -> Optional[int]:
    """The channels of a dataset's images after its pipeline, or None if
    unknown: :data:`IN_MEMORY_IMAGE_CHANNELS`, or ``LoadImageFromFile``'s
    ``color_type`` ('color': 3, 'grayscale': 1), changed by transforms with
    ``num_channels`` on ``img`` (``ToGrayscale``)."""
    channels = IN_MEMORY_IMAGE_CHANNELS.get(type(dataset).__name__)
    for transform in _transforms(dataset):
        color_type = getattr(transform, 'color_type', None)
        if color_type is not None:
            channels = {'color': 3, 'grayscale': 1}.get(color_type)
        elif isinstance(getattr(transform, 'num_channels', None), int) and \
                'img' in getattr(transform, 'keys', ('img', )):
            channels = transform.num_channels
    return channels


def _in_channels_path(spec, path: str) -> Optional[str]:
    """The config path of the backbone's ``in_channels`` (e.g.
    ``model.backbone.resnet.in_channels``), or None."""
    from mmpretrain.registry import MODELS
    cls = _registered_class(spec, MODELS)
    if cls is None:
        return None
    if 'in_channels' in _init_arguments(cls):
        return f'{path}.in_channels'
    for key, value in spec.items():
        found = isinstance(value, dict) and _in_channels_path(
            value, f'{path}.{key}')
        if found:
            return found
    return None


def _check_image_channels(path, model, backbone_cfg, preprocessor_path,
                          where, dataset) -> None:
    """The images' channels, through the data preprocessor's mean/std,
    against the backbone's first convolution."""
    channels = image_channels_of(dataset)
    backbone = getattr(model, 'backbone', None)
    conv = next((m for m in backbone.modules() if isinstance(m, nn.Conv2d)),
                None) if isinstance(backbone, nn.Module) else None
    if channels is None or conv is None:
        return
    kind = type(dataset).__name__
    preprocessor = getattr(model, 'data_preprocessor', None)
    mean, std = (getattr(preprocessor, key, None) for key in ('mean', 'std'))
    values = None
    if isinstance(mean, torch.Tensor) and isinstance(std, torch.Tensor) and \
            getattr(preprocessor, '_enable_normalize', False):
        values = mean.shape[0]
        if std.shape[0] != values:
            raise ConfigError(
                f'{preprocessor_path}.mean has {values} values and '
                f'{preprocessor_path}.std {std.shape[0]}; give both one '
                'value per image channel.')
    if values not in (None, 1, channels):
        if channels != 1:
            raise ConfigError(
                f'{preprocessor_path}.mean has {values} values, but the '
                f'images of {where} ({kind}) have {channels} channels; give '
                'one mean and one std per channel.')
        channels = values  # a grey channel is broadcast to each mean/std
    if conv.in_channels != channels:
        target = _in_channels_path(backbone_cfg, f'{path}.backbone')
        name = target or f"{path}.backbone's first convolution"
        fix = f'set {target}={channels}' if target else \
            f'give the backbone {channels} input channels'
        raise ConfigError(
            f'{name}={conv.in_channels}, but the images of {where} ({kind}) '
            f'reach the backbone with {channels} channels; {fix}, or '
            'convert the images in the pipelines (e.g. ToGrayscale with '
            f'num_channels={conv.in_channels}).')


def _scan_annotation(where: str, dataset) -> None:
    """The labels of a ``BiasedImageDataset``'s annotation file against
    its classes and bias classes, read by the dataset's own parser. A file
    that is not text is reported; missing or large files are left to
    :func:`check_data_files` and to the dataset, which checks them when it
    loads."""
    from ..datasets.bias_annotation import read_annotation
    from ..datasets.biased_image_dataset import BiasedImageDataset
    if not isinstance(dataset, BiasedImageDataset):
        return
    path = dataset.ann_file
    if '://' in path or not osp.isfile(path) or \
            osp.getsize(path) > ANNOTATION_SCAN_MAX_BYTES:
        return
    try:
        read_annotation(path, dataset.num_classes, dataset.num_bias_classes)
    except DataError as error:  # cannot be read or decoded
        raise type(error)(f'{where} ({type(dataset).__name__}): '
                          f'{error}') from None
    except ValueError as error:
        raise ConfigError(f'{where} ({type(dataset).__name__}): '
                          f'{error}') from None
    except OSError:
        return


__all__ = [
    'ANNOTATION_SCAN_MAX_BYTES', 'BIAS_TARGET_CHECKS', 'OPTIMIZER_VALUES',
    'TRAIN_FIELDS', 'bias_classes_of', 'check_config', 'check_data_files',
    'check_dataloader_cfgs', 'check_model_against_data', 'check_model_cfg',
    'check_optimizer_cfgs', 'check_optimizers_against_model',
    'check_train_loop_cfg', 'image_channels_of', 'model_cfg_of'
]
