"""Turn a config's optimizer wrappers into ``AmpOptimWrapper`` (``--amp``)."""
from typing import List, Tuple

from mmengine.config import Config
from mmengine.device import (is_cuda_available, is_mlu_available,
                             is_musa_available, is_npu_available)

from .errors import ConfigError, DeviceError

AMP_OPTIM_WRAPPER = 'AmpOptimWrapper'


def amp_device_available() -> bool:
    """Whether MMEngine's ``AmpOptimWrapper`` can run on this machine.

    MMEngine 0.10.7 only supports it on CUDA (and NPU/MLU/MUSA) devices.
    """
    return (is_cuda_available() or is_npu_available() or is_mlu_available()
            or is_musa_available())


def _is_optim_wrapper_cfg(cfg) -> bool:
    """Whether ``cfg`` is a dict building one optimizer wrapper."""
    return isinstance(cfg, dict) and isinstance(cfg.get('type'), str) \
        and cfg['type'].endswith('OptimWrapper')


def named_optim_wrapper_cfgs(optim_wrapper: dict) -> List[Tuple[str, dict]]:
    """Return the optimizer-wrapper configs inside ``optim_wrapper`` with
    their config paths.

    Two shapes are understood:

    * a single wrapper, ``dict(type='OptimWrapper', optimizer=...)``, named
      ``'optim_wrapper'``;
    * a dict of wrappers built by a constructor (e.g.
      ``LNTLOptimWrapperConstructor``), ``dict(constructor=...,
      main=dict(type='OptimWrapper', ...), bias=dict(...))``, named
      ``'optim_wrapper.main'``, ``'optim_wrapper.bias'``.

    Args:
        optim_wrapper (dict): ``cfg.optim_wrapper``.

    Returns:
        list[tuple[str, dict]]: The paths and wrapper configs (the same
        objects, not copies).
    """
    if _is_optim_wrapper_cfg(optim_wrapper):
        return [('optim_wrapper', optim_wrapper)]
    return [(f'optim_wrapper.{key}', value)
            for key, value in optim_wrapper.items()
            if _is_optim_wrapper_cfg(value)]


def find_optim_wrapper_cfgs(optim_wrapper: dict) -> List[dict]:
    """The wrapper configs of :func:`named_optim_wrapper_cfgs`, without
    their paths."""
    return [cfg for _, cfg in named_optim_wrapper_cfgs(optim_wrapper)]


AMP_DTYPES = ('float16', 'bfloat16')


def enable_amp(cfg: Config, loss_scale='dynamic',
               dtype: str = 'float16') -> Config:
    """Switch every optimizer wrapper of ``cfg`` to ``AmpOptimWrapper``.

    Each wrapper gets ``type='AmpOptimWrapper'`` and, unless the config sets
    one, ``loss_scale='dynamic'``. With an ``OptimWrapperDict`` every
    sub-wrapper is converted; a constructor that wants one shared loss scaler
    can recognise them by their type.

    Args:
        cfg (Config): The full config; ``cfg.optim_wrapper`` is edited in
            place.
        loss_scale (str | float | dict): Default loss scale of each wrapper.
            Defaults to 'dynamic'.
        dtype (str): The autocast type, ``'float16'`` or ``'bfloat16'``
            (unless the config sets one). Defaults to 'float16'.

    Returns:
        Config: ``cfg``.

    Raises:
        RuntimeError: On a machine without a CUDA (or NPU/MLU/MUSA) device.
        ValueError: If the config has no optimizer wrapper to convert.
    """
    if dtype not in AMP_DTYPES:
        raise ConfigError(f'AMP dtype {dtype!r} is not one of {AMP_DTYPES}.')
    if not amp_device_available():
        raise DeviceError(
            '--amp needs a CUDA device; none is available here (MMEngine\'s '
            'AmpOptimWrapper only runs on GPU/NPU/MLU/MUSA). Train without '
            '--amp on this machine, or run on a GPU machine.')
    optim_wrapper = cfg.get('optim_wrapper')
    wrappers = find_optim_wrapper_cfgs(optim_wrapper) \
        if isinstance(optim_wrapper, dict) else []
    if not wrappers:
        raise ConfigError(
            '--amp found no optimizer wrapper to convert in cfg.optim_wrapper '
            f'({optim_wrapper!r}); expected dict(type=\'OptimWrapper\', ...) '
            'or a dict of such wrappers (e.g. main=..., bias=...).')
    for wrapper in wrappers:
        wrapper['type'] = AMP_OPTIM_WRAPPER
        wrapper.setdefault('loss_scale', loss_scale)
        wrapper.setdefault('dtype', dtype)
    return cfg


__all__ = [
    'AMP_DTYPES', 'AMP_OPTIM_WRAPPER', 'amp_device_available', 'enable_amp',
    'find_optim_wrapper_cfgs', 'named_optim_wrapper_cfgs'
]
