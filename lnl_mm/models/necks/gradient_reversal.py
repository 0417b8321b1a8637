import math
from typing import Optional, Tuple

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
        schedule (str): How mu changes over training:
            ``'constant'`` keeps ``mu``; ``'dann'`` ramps it as in DANN
            (Ganin & Lempitsky 2015): ``mu * (2 / (1 + exp(-gamma * p)) - 1)``
            with ``p`` the fraction of training iterations done (counted
            from the end of the warm-up when ``LNTLClassifier`` has
            ``pretrain_epochs``, which passes ``progress``).
            Defaults to ``'constant'``.
        gamma (float): Steepness of the ``'dann'`` ramp. Defaults to 10.
    """

    SCHEDULES = ('constant', 'dann')

    def __init__(self,
                 mu: float = 0.1,
                 schedule: str = 'constant',
                 gamma: float = 10.0):
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

    def current_mu(self, progress: Optional[float] = None) -> float:
        """The reversal coefficient in force at ``progress`` (0..1)."""
        if self.schedule == 'constant':
            return self.mu
        if progress is None:
            progress = training_progress()
        return self.mu * (2.0 / (1.0 + math.exp(-self.gamma * progress)) - 1)

    def forward(self,
                inputs: Tuple[torch.Tensor, ...],
                progress: Optional[float] = None) -> Tuple[torch.Tensor]:
        """Reverse the gradients of ``inputs`` with the mu in force at
        ``progress`` (0..1; by default the whole run's progress, see
        :func:`training_progress`)."""
        coeff = self.current_mu(progress)
        return tuple(reverse_gradient(x, coeff) for x in inputs)
