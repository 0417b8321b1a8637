from typing import List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import build_norm_layer
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ...utils.arg_checks import check_int
from ..losses import uncertainty_loss
from ..utils.global_pool import global_pool
from .bias_prediction_head import record_bias_predictions, stack_sample_field


@MODELS.register_module()
class BiasClassificationHead(BaseModule):
    """Per-image bias predictor ``h``: pooled features -> colour class.

    A drop-in alternative to :class:`BiasPredictionHead` (same API, usable as
    ``bias_head`` of ``LNTLClassifier``): instead of classifying the colour
    of every pixel, it globally pools ``f``'s feature map and predicts one
    bias class per image (for ColoredMNIST the index of the mean colour the
    digit was painted with, ``bias_label``).

    Args:
        in_channels (int): Channels of the input feature map. Defaults to 32.
        num_classes (int): Bias classes. Defaults to 10.
        pool (str): Global pooling, ``'avg'`` or ``'max'``. Defaults to
            ``'avg'``.
        loss_weight (float): Multiplier of the bias loss. Defaults to 1.
        target_key (str): Data-sample field holding the bias class.
            Defaults to ``'bias_label'``.
        norm_cfg (dict, optional): A norm layer on the pooled feature before
            the Linear layer, e.g. ``dict(type='BN1d')`` (``'SyncBN'`` across
            GPUs) or ``dict(type='LN')``. Behind a gradient reversal, a plain
            Linear ``h`` can be defeated by ``f`` scaling its features up
            until ``h``'s loss overflows; a norm layer takes the scale away.
            Defaults to None (no norm layer).
        init_cfg (dict, optional): MMEngine initialisation config.
    """

    POOLS = ('avg', 'max')

    def __init__(self,
                 in_channels: int = 32,
                 num_classes: int = 10,
                 pool: str = 'avg',
                 loss_weight: float = 1.0,
                 target_key: str = 'bias_label',
                 norm_cfg: Optional[dict] = None,
                 init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        if pool not in self.POOLS:
            raise ValueError(f'BiasClassificationHead: unknown pool {pool!r}; '
                             f'choose one of {self.POOLS}.')
        check_int('in_channels', in_channels, low=1,
                  owner='BiasClassificationHead',
                  hint="channels of f's feature map")
        check_int('num_classes', num_classes, low=2,
                  owner='BiasClassificationHead',
                  hint='the number of bias classes of the data')
        self.in_channels = in_channels
        self.num_classes = num_classes
        self.pool = pool
        self.loss_weight = loss_weight
        self.target_key = target_key
        self.norm = (build_norm_layer(norm_cfg, in_channels)[1]
                     if norm_cfg is not None else nn.Identity())
        self.fc = nn.Linear(in_channels, num_classes)

    def pooled(self, feats: Tuple[torch.Tensor, ...]) -> torch.Tensor:
        """Globally pooled last feature map, shape ``(N, in_channels)``,
        through the norm layer if there is one."""
        return self.norm(global_pool(feats[-1], self.pool))

    def forward(self, feats: Tuple[torch.Tensor, ...]) -> torch.Tensor:
        """Logits of shape ``(N, num_classes)``."""
        return self.fc(self.pooled(feats))

    def get_targets(self, data_samples: List[DataSample],
                    device: torch.device) -> torch.Tensor:
        """Bias classes of shape ``(N, )``, dtype long."""
        return stack_sample_field(data_samples, self.target_key, device,
                                  type(self).__name__).reshape(-1)

    def loss(self, feats: Tuple[torch.Tensor, ...],
             data_samples: List[DataSample]) -> dict:
        """Cross-entropy of the bias class."""
        logits = self(feats)
        targets = self.get_targets(data_samples, logits.device)
        return dict(
            loss_bias=self.loss_weight * F.cross_entropy(logits, targets))

    def uncertainty(self, feats: Tuple[torch.Tensor, ...],
                    kind: str = 'neg_entropy') -> torch.Tensor:
        """How far from uniform the class distribution is, averaged over the
        batch; ``kind`` is ``'neg_entropy'`` (LNTL) or ``'uniform_ce'``
        (BlindEye)."""
        return uncertainty_loss(self(feats), dim=1, kind=kind)

    def predict(self, feats: Tuple[torch.Tensor, ...],
                data_samples: List[DataSample]) -> List[DataSample]:
        """Set ``bias_pred_correct`` (0 or 1) and ``bias_pred_count`` (1) on
        every sample, the fields ``BiasAccuracy`` reads."""
        logits = self(feats)
        targets = self.get_targets(data_samples, logits.device)
        correct = (logits.argmax(dim=1) == targets).tolist()
        record_bias_predictions(data_samples, correct, [1] * len(correct))
        return data_samples
