import math
from typing import Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.logging import MessageHub
from mmpretrain.registry import MODELS

from ...utils.arg_checks import check_number


class _ReverseGradient(torch.autograd.Function):
    """Identity forward; multiplies the incoming gradient by ``-coeff``."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, coeff: float) -> torch.Tensor:
        ctx.coeff = coeff
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        return grad_output.neg() * ctx.coeff, None


def reverse_gradient(x: torch.Tensor, coeff: float) -> torch.Tensor:
    """Identity on ``x`` whose backward multiplies gradients by ``-coeff``."""
    return _ReverseGradient.apply(x, coeff)


def training_progress(begin_epoch: int = 0) -> float:
    """Fraction of training done since the start of epoch ``begin_epoch``,
    read from MMEngine's message hub.

    The Runner's ``RuntimeInfoHook`` records ``iter``, ``max_iters`` and
    ``max_epochs``; progress is 0 before the first iteration of
    ``begin_epoch`` (e.g. during a warm-up) and 1 at the end of training.
    Outside a Runner (unit tests, notebooks) the progress is taken as 1, so
    a schedule then gives its final value.

    Args:
        begin_epoch (int): The epoch (0-based) where progress starts to
            count. Defaults to 0, the whole run.
    """
    hub = MessageHub.get_current_instance()
    max_iters = hub.get_info('max_iters')
    if not max_iters:
        return 1.0
    begin = 0
    max_epochs = hub.get_info('max_epochs')
    if begin_epoch and max_epochs:
        begin = round(max_iters * min(begin_epoch, max_epochs) / max_epochs)
    span = max_iters - begin
    if span <= 0:
        return 1.0
    return min(max((hub.get_info('iter', 0) - begin) / span, 0.0), 1.0)


@MODELS.register_module()
class GradientReversal(nn.Module):
    """Gradient-reversal neck: identity forward, gradient times -mu backward.

    In "Learning Not to Learn" the bias predictor ``h`` reads the feature
    extractor's output through this layer, so minimising ``h``'s loss trains
    ``h`` to predict the bias while pushing ``f`` to remove it.

    Args:
        mu (float): Reversal strength (the paper's mu). Defaults to 0.1.
        schedule (str): How mu changes over training, as a function of
            ``p``, the fraction of training iterations done (counted from
            the end of the warm-up when ``LNTLClassifier`` has
            ``pretrain_epochs``, which passes ``progress``):
            ``'constant'`` keeps ``mu``; ``'dann'`` ramps it as in DANN
            (Ganin & Lempitsky 2015): ``mu * (2 / (1 + exp(-gamma * p)) - 1)``;
            ``'step'`` multiplies it by ``factor`` at each of ``milestones``
            (a strong reversal first, a weaker one once the bias is gone).
            Defaults to ``'constant'``.
        gamma (float): Steepness of the ``'dann'`` ramp. Defaults to 10.
        milestones (Sequence[float], optional): For ``'step'`` only: the
            increasing values of ``p`` in (0, 1) from which mu is multiplied
            by ``factor`` once more; 0.3 is after 3 of 10 unlearning epochs.
        factor (float, optional): For ``'step'`` only: what mu is
            multiplied by at each milestone, e.g. 0.3.
    """

    SCHEDULES = ('constant', 'dann', 'step')

    def __init__(self,
                 mu: float = 0.1,
                 schedule: str = 'constant',
                 gamma: float = 10.0,
                 milestones: Optional[Sequence[float]] = None,
                 factor: Optional[float] = None):
        super().__init__()
        self.mu = check_number('mu', mu, low=0, hint='the reversal '
                               'strength; the paper uses 0.1',
                               owner='GradientReversal')
        if schedule not in self.SCHEDULES:
            raise ValueError(f'GradientReversal: schedule={schedule!r} is '
                             f'unknown; choose one of {self.SCHEDULES}.')
        self.schedule = schedule
        self.gamma = check_number('gamma', gamma, low=0, low_open=True,
                                  hint="the steepness of the 'dann' ramp, "
                                  'e.g. 10', owner='GradientReversal')
        self.milestones, self.factor = self._check_steps(
            schedule, milestones, factor)

    @staticmethod
    def _check_steps(schedule: str, milestones, factor):
        """``milestones`` and ``factor`` as a tuple of floats and a float
        for ``'step'``; both must be left unset for the other schedules."""
        if schedule != 'step':
            if milestones is not None or factor is not None:
                raise ValueError(
                    f'GradientReversal: milestones={milestones!r} and '
                    f'factor={factor!r} only apply to schedule=\'step\', '
                    f'not {schedule!r}; set schedule=\'step\' or drop them.')
            return (), None
        if isinstance(milestones, (str, bytes)) or not isinstance(
                milestones, Sequence) or not milestones:
            raise ValueError(
                f'GradientReversal: milestones={milestones!r} must be a '
                'non-empty list of training fractions in (0, 1) for '
                "schedule='step', e.g. [0.3].")
        steps = tuple(
            check_number(f'milestones[{i}]', m, low=0, high=1, low_open=True,
                         hint='a fraction of the unlearning iterations',
                         owner='GradientReversal')
            for i, m in enumerate(milestones))
        if any(b <= a for a, b in zip(steps, steps[1:])) or steps[-1] >= 1:
            raise ValueError(
                f'GradientReversal: milestones={milestones!r} must be '
                'strictly increasing and below 1, e.g. [0.3].')
        factor = check_number('factor', factor, low=0, low_open=True,
                              hint="what mu is multiplied by at each "
                              "milestone of schedule='step', e.g. 0.3",
                              owner='GradientReversal')
        return steps, factor

    def current_mu(self, progress: Optional[float] = None) -> float:
        """The reversal coefficient in force at ``progress`` (0..1)."""
        if self.schedule == 'constant':
            return self.mu
        if progress is None:
            progress = training_progress()
        if self.schedule == 'step':
            passed = sum(progress >= m for m in self.milestones)
            return self.mu * self.factor**passed
        return self.mu * (2.0 / (1.0 + math.exp(-self.gamma * progress)) - 1)

    def forward(self,
                inputs: Tuple[torch.Tensor, ...],
                progress: Optional[float] = None) -> Tuple[torch.Tensor]:
        """Reverse the gradients of ``inputs`` with the mu in force at
        ``progress`` (0..1; by default the whole run's progress, see
        :func:`training_progress`)."""
        coeff = self.current_mu(progress)
        return tuple(reverse_gradient(x, coeff) for x in inputs)
