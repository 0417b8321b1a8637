from typing import Optional, Tuple

import torch
import torch.nn as nn
from mmpretrain.registry import MODELS


@MODELS.register_module()
class StopGradient(nn.Module):
    """Identity forward that stops every gradient (``tensor.detach()``).

    Put between ``f`` and the bias head ``h`` (``bias_neck`` of
    ``LNTLClassifier``), ``h`` learns to predict the bias from ``f``'s
    features while its loss sends no gradient into ``f``: the bias-classifier
    update of BlindEye (Alvi et al. 2018, "Turning a Blind Eye"), where ``f``
    is pushed toward bias invariance only by the confusion loss of phase A
    (``uncertainty_loss='uniform_ce'``). Takes and returns tuples as
    mmpretrain necks do.
    """

    def current_mu(self, progress: Optional[float] = None) -> float:
        """The reversal strength the classifier logs as ``mu``: 0, no
        gradient reaches ``f`` through this neck."""
        return 0.0

    def forward(self,
                inputs: Tuple[torch.Tensor, ...],
                progress: Optional[float] = None) -> Tuple[torch.Tensor]:
        """Detach ``inputs``; ``progress`` is accepted (and unused) for the
        bias-neck interface that ``LNTLClassifier`` calls."""
        return tuple(x.detach() for x in inputs)
