from typing import Sequence

import torch
import torch.nn as nn
from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS

from lnl_mm.utils.errors import ConfigError
from lnl_mm.utils.runner_utils import named_optimizers, runner_model


def reinitialise(module: nn.Module) -> None:
    """Give ``module`` fresh weights: ``reset_parameters()`` of every
    submodule that has one (convolutions, linear and norm layers, which also
    reset BatchNorm's running statistics)."""
    for sub in module.modules():
        reset = getattr(sub, 'reset_parameters', None)
        if callable(reset):
            reset()


@HOOKS.register_module()
class UnlearningStartHook(Hook):
    """Start the unlearning of a one-run LNTL recipe the way the paper's
    two-stage form starts it.

    In the paper's two-stage recipe, unlearning begins from a baseline
    checkpoint with a freshly initialised bias predictor ``h`` and freshly
    built optimizers (no momentum). In one run (``LNTLClassifier`` with
    ``pretrain_epochs`` warm-up epochs), ``h`` arrives at the first
    unlearning epoch trained on the warm-up's features and the optimizers
    carry the warm-up's momentum. At the start of epoch ``pretrain_epochs``
    (counting from 0), this hook re-initialises ``modules`` and clears the
    optimizers' state, so one run repeats the two-stage recipe (with the
    learning-rate profile set by ``param_scheduler``).

    The fresh weights come from a generator seeded with the run's seed plus
    the epoch, so every rank draws the same weights and a run resumed from
    the last warm-up checkpoint draws the same weights as one that was not
    interrupted.

    Args:
        modules (Sequence[str]): Attributes of the model to re-initialise.
            Defaults to ``('bias_head',)`` (``h``).
        reset_optimizer_state (bool): Clear the state (momentum buffers) of
            every optimizer. Defaults to True.
    """

    priority = 'NORMAL'

    def __init__(self,
                 modules: Sequence[str] = ('bias_head', ),
                 reset_optimizer_state: bool = True):
        if isinstance(modules, str) or not all(
                isinstance(name, str) for name in modules):
            raise ConfigError(
                f'UnlearningStartHook: modules={modules!r} must be a list of '
                "model attribute names, e.g. ['bias_head'].")
        self.modules = tuple(modules)
        self.reset_optimizer_state = bool(reset_optimizer_state)

    def before_train(self, runner) -> None:
        model = runner_model(runner)
        epochs = getattr(model, 'pretrain_epochs', None)
        if not isinstance(epochs, int):
            raise ConfigError(
                'UnlearningStartHook needs a model with a warm-up '
                f'(pretrain_epochs), such as LNTLClassifier; '
                f'{type(model).__name__} has none. Remove the hook from '
                'custom_hooks.')
        missing = [name for name in self.modules
                   if not isinstance(getattr(model, name, None), nn.Module)]
        if missing:
            raise ConfigError(
                f'UnlearningStartHook: the model ({type(model).__name__}) has '
                f'no submodule {", ".join(missing)}; set modules to some of '
                f'{[name for name, _ in model.named_children()]}.')
        if epochs == 0:
            runner.logger.warning(
                'UnlearningStartHook does nothing: model.pretrain_epochs is 0,'
                ' so unlearning starts with the freshly built model.')
        elif 'bias_head' in self.modules and getattr(
                model, 'warmup_bias_steps', 0) > 0:
            runner.logger.info(
                f'h is trained in every warm-up iteration '
                f'(model.warmup_bias_steps={model.warmup_bias_steps}) and '
                f're-initialised at epoch {epochs + 1}; '
                'model.warmup_bias_steps=0 skips that work.')

    def before_train_epoch(self, runner) -> None:
        model = runner_model(runner)
        start = model.pretrain_epochs
        if start == 0 or runner.epoch != start:
            return
        devices = sorted({
            p.device.index or 0
            for p in model.parameters() if p.device.type == 'cuda'
        })
        # Fork the RNGs of the devices the weights live on, so the rest of
        # the run draws the same random numbers with or without this hook.
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed((runner.seed or 0) + start)
            for name in self.modules:
                reinitialise(getattr(model, name))
        cleared = []
        if self.reset_optimizer_state:
            for name, optimizer in named_optimizers(
                    runner.optim_wrapper).items():
                optimizer.state.clear()
                cleared.append(name)
        runner.logger.info(
            f'Unlearning starts at epoch {start + 1}: re-initialised '
            f'{", ".join(self.modules) or "no modules"}; cleared the state of '
            f'the optimizer(s) {", ".join(cleared) or "(none)"}.')
