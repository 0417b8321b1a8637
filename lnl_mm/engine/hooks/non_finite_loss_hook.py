from typing import Dict, List, Optional

import torch
from mmengine.dist import all_gather_object, all_reduce, get_world_size
from mmengine.hooks import Hook
from mmengine.optim import AmpOptimWrapper
from mmpretrain.registry import HOOKS

from lnl_mm.utils.errors import ConfigError, NonFiniteLossError
from lnl_mm.utils.numerics import (all_finite, non_finite_entries,
                                   non_finite_model_state)
from lnl_mm.utils.runner_utils import (named_optim_wrappers, named_optimizers,
                                       runner_model)

POLICIES = ('stop', 'skip', 'warn')


def _has_non_finite_grad(optimizer: torch.optim.Optimizer) -> bool:
    return not all_finite(
        p.grad for group in optimizer.param_groups for p in group['params']
        if p.grad is not None)


def _drop_grads(optimizer: torch.optim.Optimizer) -> None:
    """Make the coming ``optimizer.step()`` a no-op: PyTorch's optimizers
    skip parameters without a gradient (no momentum, no weight decay)."""
    for group in optimizer.param_groups:
        for p in group['params']:
            p.grad = None


@HOOKS.register_module()
class NonFiniteLossHook(Hook):
    """Act at the first training iteration with a NaN or inf loss term.

    After every iteration the hook checks the values ``train_step`` returns
    (every loss term and logged value) and the model's weights and buffers
    (e.g. a BatchNorm variance that overflowed while the losses stayed
    finite), and before every optimizer step that step's gradients. At the
    first non-finite value, ``policy`` says what happens:

    * ``'stop'`` (default): raise
      :class:`~lnl_mm.utils.errors.NonFiniteLossError` naming the epoch,
      the iteration, the terms and the likely causes (learning rate, AMP).
      The step with non-finite gradients is not applied, and no checkpoint
      is written after the last good one.
    * ``'skip'``: drop the iteration's optimizer steps whose gradients are
      non-finite, restore the model's buffers (BatchNorm statistics) to
      their values before the iteration, log a warning and go on. Weights
      that are non-finite even so cannot be undone: training stops as with
      ``'stop'``.
    * ``'warn'``: log a warning and go on; every step is applied.

    It works for any model and optimizer wrapper (one ``OptimWrapper`` or an
    ``OptimWrapperDict``, e.g. both LNTL phases). Under AMP, the loss scaler
    skips steps whose scaled gradients overflow; their losses are finite
    and the scaler never calls ``optimizer.step``, so these normal skips do
    not trigger the hook. Under distributed training the ranks agree with
    one small all-reduce per iteration, so they stop or skip together.

    Args:
        policy (str): ``'stop'``, ``'skip'`` or ``'warn'``.
    """

    priority = 'ABOVE_NORMAL'  # before the checkpoint and logger hooks

    def __init__(self, policy: str = 'stop'):
        if policy not in POLICIES:
            raise ConfigError(f'NonFiniteLossHook: policy={policy!r} must be '
                              f'one of {POLICIES}.')
        self.policy = policy
        self._handles: list = []
        self._bad_grads: List[str] = []
        self._buffers: Optional[Dict[str, torch.Tensor]] = None

    # ------------------------------------------------------------------
    # gradient guard on every optimizer step
    # ------------------------------------------------------------------
    def _guard(self, name: str):
        def check_step(optimizer, args, kwargs):
            if _has_non_finite_grad(optimizer):
                self._bad_grads.append(name)
                if self.policy != 'warn':
                    _drop_grads(optimizer)

        return check_step

    def before_train(self, runner) -> None:
        """Guard every optimizer's step."""
        self.after_train(runner)
        for name, optimizer in named_optimizers(runner.optim_wrapper).items():
            self._handles.append(
                optimizer.register_step_pre_hook(self._guard(name)))

    def after_train(self, runner) -> None:
        """Remove the step guards."""
        for handle in self._handles:
            handle.remove()
        self._handles = []

    # ------------------------------------------------------------------
    # per iteration
    # ------------------------------------------------------------------
    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        self._bad_grads = []
        if self.policy == 'skip':
            self._buffers = {
                name: buf.detach().clone()
                for name, buf in runner_model(runner).named_buffers()
            }

    def after_train_iter(self,
                         runner,
                         batch_idx,
                         data_batch=None,
                         outputs=None) -> None:
        terms = non_finite_entries(outputs or {})
        grads = list(dict.fromkeys(self._bad_grads))
        if self.policy == 'skip' and self._buffers is not None and (
                terms or grads):
            with torch.no_grad():
                for name, buf in runner_model(runner).named_buffers():
                    buf.copy_(self._buffers[name])
        report = self._gather(
            dict(
                terms=terms,
                grads=grads,
                weights=non_finite_model_state(runner_model(runner))))
        if report is None:
            return
        # Non-finite weights that skipping cannot repair: left after 'skip'
        # restored the buffers, or after an iteration whose losses and
        # gradients were all finite.
        broken = any(
            local['weights'] and (self.policy == 'skip'
                                  or not (local['terms'] or local['grads']))
            for local in report)
        message = self._describe(runner, batch_idx, report, broken)
        if self.policy == 'stop' or (broken and self.policy == 'skip'):
            runner.logger.error(message)
            raise NonFiniteLossError(message)
        runner.logger.warning(message)

    @staticmethod
    def _gather(local: dict) -> Optional[List[dict]]:
        """Every rank's findings if any rank found a non-finite value, else
        None. Ranks agree, so they all stop or skip together."""
        found = bool(local['terms'] or local['grads'] or local['weights'])
        if get_world_size() == 1:
            return [local] if found else None
        flag = torch.tensor([float(found)])
        all_reduce(flag, op='max')
        if flag.item() == 0:
            return None
        return all_gather_object(local)

    def _describe(self, runner, batch_idx: int, report: List[dict],
                  broken: bool) -> str:
        """The message: where, which terms, what happened, likely causes."""
        where = (f'epoch {runner.epoch + 1}, iteration {batch_idx + 1}/'
                 f'{len(runner.train_dataloader)} (iteration '
                 f'{runner.iter + 1} of the run)')
        found = []
        for rank, local in enumerate(report):
            on_rank = f' on rank {rank}' if len(report) > 1 else ''
            if local['terms']:
                terms = ', '.join(f'{k}={v}'
                                  for k, v in local['terms'].items())
                found.append(f'non-finite loss terms{on_rank}: {terms}')
            if local['grads']:
                found.append(f'non-finite gradients{on_rank} in the '
                             f"step(s) of {', '.join(local['grads'])}")
            if local['weights']:
                names = local['weights']
                more = f' and {len(names) - 3} more' if len(names) > 3 else ''
                found.append(f'non-finite weights or buffers{on_rank} after '
                             f"the step: {', '.join(names[:3])}{more}")
        what = 'loss' if any(local['terms'] or local['grads']
                             for local in report) else 'model state'
        lines = [f"Non-finite {what} at {where}: {'; '.join(found)}."]
        stops = self.policy == 'stop' or (broken and self.policy == 'skip')
        if stops:
            last = runner.message_hub.get_info('last_ckpt')
            if not broken:
                why = 'the steps with non-finite gradients were not applied'
            elif self.policy == 'skip':
                why = ('the model itself holds NaN/inf, which skipping steps '
                       'cannot undo')
            else:
                why = 'the model itself holds NaN/inf after a finite step'
            lines.append(
                f'Training stopped (NonFiniteLossHook policy='
                f"'{self.policy}'): {why}, and no checkpoint was written "
                f"after the last good one ({last or 'none yet'}).")
            if last:
                lines.append(
                    '--resume continues from it with its optimizer settings;'
                    ' to go on with a lower learning rate, start a new run '
                    f'from its weights (--cfg-options load_from={last}, '
                    'another --work-dir).')
        elif self.policy == 'skip':
            lines.append('The optimizer steps with non-finite gradients '
                         'were dropped and the buffers restored; training '
                         'goes on (policy=\'skip\').')
        else:
            lines.append('Training goes on with these values '
                         '(policy=\'warn\').')
        lines.append(self._likely_causes(runner))
        if self.policy != 'skip' and not broken:
            lines.append(
                'To drop such steps and go on, set --cfg-options '
                "default_hooks.non_finite.policy=skip ('warn' only logs).")
        return ' '.join(lines)

    @staticmethod
    def _likely_causes(runner) -> str:
        lrs = ', '.join(
            f'{name}={values[0]:g}'
            for name, values in runner.optim_wrapper.get_lr().items())
        amp = any(
            isinstance(w, AmpOptimWrapper)
            for w in named_optim_wrappers(runner.optim_wrapper).values())
        amp_note = ('AMP is on: a float16 overflow in the forward pass gives '
                    'inf losses; try dtype=bfloat16 in the optimizer '
                    'wrappers or train without --amp' if amp else
                    'AMP is off here; with --amp, float16 overflow is '
                    'another cause')
        return (f'Likely causes: a learning rate too high for this model '
                f'(now {lrs}; try 10x lower); {amp_note}; or corrupt input '
                'data.')
