import copy
from typing import Optional, Sequence

import torch.nn as nn
from mmengine.optim import AmpOptimWrapper, DefaultOptimWrapperConstructor
from mmpretrain.registry import OPTIM_WRAPPER_CONSTRUCTORS

from lnl_mm.utils.runner_utils import unwrap_model

from .lntl_optim_wrapper_dict import LNTLOptimWrapperDict


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class LNTLOptimWrapperConstructor:
    """Build the two optimizers of "Learning Not to Learn".

    The model's parameters are split in two groups: ``bias`` holds the
    modules named in ``bias_modules`` (the bias predictor ``h``), ``main``
    everything else (the feature extractor ``f`` and the label classifier
    ``g``). Each group gets its own optimizer wrapper, built from its own
    config by MMEngine's ``DefaultOptimWrapperConstructor`` (so each may have
    a ``paramwise_cfg``), and both are returned in an ``OptimWrapperDict``;
    their learning rates, schedules and states are saved in checkpoints
    under the keys ``main`` and ``bias``.

    When both sub-wrappers are ``AmpOptimWrapper``, they share one gradient
    scaler, because phase B of the alternating update backpropagates one
    scaled loss into both groups.

    Config example::

        optim_wrapper = dict(
            constructor='LNTLOptimWrapperConstructor',
            main=dict(type='OptimWrapper',
                      optimizer=dict(type='SGD', lr=0.01)),
            bias=dict(type='OptimWrapper',
                      optimizer=dict(type='SGD', lr=0.01)))

    Args:
        optim_wrapper_cfg (dict): ``main`` and ``bias`` sub-wrapper configs,
            and optionally ``bias_modules`` (names of the model's child
            modules optimised by ``bias``; defaults to ``('bias_head',)``).
        paramwise_cfg (dict, optional): Not supported at this level; put a
            ``paramwise_cfg`` inside ``main`` or ``bias`` instead.
    """

    GROUPS = ('main', 'bias')

    def __init__(self,
                 optim_wrapper_cfg: dict,
                 paramwise_cfg: Optional[dict] = None):
        cfg = copy.deepcopy(dict(optim_wrapper_cfg))
        self.bias_modules: Sequence[str] = tuple(
            cfg.pop('bias_modules', ('bias_head', )))
        if paramwise_cfg is not None:
            raise ValueError(
                'LNTLOptimWrapperConstructor: a top-level paramwise_cfg is '
                'ambiguous with two optimizers; put it inside '
                'optim_wrapper.main or optim_wrapper.bias.')
        if set(cfg) != set(self.GROUPS):
            raise ValueError(
                'LNTLOptimWrapperConstructor expects exactly the sub-wrapper '
                f'configs {self.GROUPS} (besides "bias_modules"), got '
                f'{sorted(cfg)}. Example: optim_wrapper=dict(constructor='
                "'LNTLOptimWrapperConstructor', main=dict(type='OptimWrapper',"
                " optimizer=...), bias=dict(type='OptimWrapper', "
                'optimizer=...)).')
        self.group_cfgs = cfg

    def split_modules(self, model: nn.Module) -> dict:
        """Return ``{'main': ModuleDict, 'bias': ModuleDict}`` of ``model``'s
        child modules; names keep their prefixes for ``paramwise_cfg``."""
        children = dict(model.named_children())
        missing = [n for n in self.bias_modules if n not in children]
        if missing:
            raise ValueError(
                f'LNTLOptimWrapperConstructor: the model '
                f'({type(model).__name__}) has no child module(s) {missing} '
                'to give to the "bias" optimizer; set '
                'optim_wrapper.bias_modules to the bias predictor\'s name(s)'
                f' among {sorted(children)}.')
        bias = nn.ModuleDict({n: children[n] for n in self.bias_modules})
        main = nn.ModuleDict({
            n: m
            for n, m in children.items() if n not in self.bias_modules
        })
        return dict(main=main, bias=bias)

    def __call__(self, model: nn.Module) -> LNTLOptimWrapperDict:
        parts = self.split_modules(unwrap_model(model))
        wrappers = {}
        for name in self.GROUPS:
            cfg = copy.deepcopy(self.group_cfgs[name])
            paramwise_cfg = cfg.pop('paramwise_cfg', None)
            wrappers[name] = DefaultOptimWrapperConstructor(
                cfg, paramwise_cfg)(parts[name])
        self._share_loss_scaler(wrappers)
        return LNTLOptimWrapperDict(**wrappers)

    @staticmethod
    def _share_loss_scaler(wrappers: dict) -> None:
        amp = [isinstance(w, AmpOptimWrapper) for w in wrappers.values()]
        if not any(amp):
            return
        if not all(amp):
            raise ValueError(
                'LNTLOptimWrapperConstructor: either both or neither of '
                'optim_wrapper.main and optim_wrapper.bias must be '
                'AmpOptimWrapper (tools/train.py --amp converts both).')
        shared = wrappers['main'].loss_scaler
        wrappers['bias'].loss_scaler = shared
