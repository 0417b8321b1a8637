from typing import List, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import build_norm_layer
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ...utils.arg_checks import check_int
from ..losses import uncertainty_loss


def stack_sample_field(data_samples: Sequence[DataSample], key: str,
                       device: torch.device, owner: str) -> torch.Tensor:
    """Stack the per-sample field ``key`` of ``data_samples`` into a tensor.

    Raises a KeyError that names the missing field and how to provide it.
    """
    values = []
    for sample in data_samples:
        if key not in sample:
            raise KeyError(
                f'{owner} needs the field {key!r} in every data sample, but '
                f'it is missing. Add {key!r} to the algorithm_keys of '
                'PackInputs in the pipeline (ColoredMNIST provides '
                "'bias_label', 'bias_aligned' and 'color_target').")
        value = sample.get(key)
        values.append(value if isinstance(value, torch.Tensor) else
                      torch.from_numpy(np.asarray(value)))
    return torch.stack(values).to(device=device, dtype=torch.long)


def record_bias_predictions(data_samples: Sequence[DataSample],
                            num_correct: Sequence[int],
                            num_scored: Sequence[int]) -> None:
    """Store on each sample how many of its bias targets the bias predictor
    got right (``bias_pred_correct``) out of how many were scored
    (``bias_pred_count``), the fields ``BiasAccuracy`` reads."""
    for sample, correct, scored in zip(data_samples, num_correct, num_scored):
        sample.set_field(int(correct), 'bias_pred_correct',
                         field_type='metainfo')
        sample.set_field(int(scored), 'bias_pred_count', field_type='metainfo')


@MODELS.register_module()
class BiasPredictionHead(BaseModule):
    """Per-pixel colour predictor ``h`` of "Learning Not to Learn".

    For each colour channel an independent branch (Conv k3 p1, norm, ReLU,
    Conv k3 p1) classifies every position of the feature map into
    ``num_bins`` quantised intensity bins. Targets are the per-pixel colour
    targets (``color_target``, shape ``num_channels x H x W`` with
    ``ignore_index`` where the pixel is background) of the data samples.

    Args:
        in_channels (int): Channels of the input feature map. Defaults to 32.
        mid_channels (int): Channels of each branch's hidden layer.
            Defaults to 32.
        num_channels (int): Colour channels predicted (one branch each).
            Defaults to 3.
        num_bins (int): Quantisation bins per channel. Defaults to 8.
        ignore_index (int): Target value that is not scored. Defaults to 255.
        loss_weight (float): Multiplier of the bias loss. Defaults to 1.
        norm_cfg (dict): Norm layer of each branch (``dict(type='SyncBN')``
            for synchronised BatchNorm). Defaults to ``dict(type='BN')``.
        target_key (str): Data-sample field holding the targets.
            Defaults to ``'color_target'``.
        init_cfg (dict, optional): MMEngine initialisation config.
    """

    def __init__(self,
                 in_channels: int = 32,
                 mid_channels: int = 32,
                 num_channels: int = 3,
                 num_bins: int = 8,
                 ignore_index: int = 255,
                 loss_weight: float = 1.0,
                 norm_cfg: dict = dict(type='BN'),
                 target_key: str = 'color_target',
                 init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        owner = 'BiasPredictionHead'
        check_int('in_channels', in_channels, low=1, owner=owner,
                  hint="channels of f's feature map")
        check_int('mid_channels', mid_channels, low=1, owner=owner)
        check_int('num_channels', num_channels, low=1, owner=owner,
                  hint='colour channels predicted, 3 for RGB')
        check_int('num_bins', num_bins, low=2, owner=owner,
                  hint='quantisation bins per colour channel; the paper '
                  'uses 8')
        check_int('ignore_index', ignore_index, owner=owner,
                  hint='the target value of unscored (background) pixels, '
                  'e.g. 255')
        if 0 <= ignore_index < num_bins:
            raise ValueError(
                f'{owner}: ignore_index={ignore_index} is one of the '
                f'num_bins={num_bins} bins (0 .. {num_bins - 1}), so the '
                'pixels of that colour bin would never be scored; use a '
                'value outside them, e.g. 255.')
        self.in_channels = in_channels
        self.num_channels = num_channels
        self.num_bins = num_bins
        self.ignore_index = ignore_index
        self.loss_weight = loss_weight
        self.target_key = target_key
        self.branches = nn.ModuleList(
            nn.Sequential(
                nn.Conv2d(in_channels, mid_channels, 3, padding=1),
                build_norm_layer(norm_cfg, mid_channels)[1],
                nn.ReLU(inplace=True),
                nn.Conv2d(mid_channels, num_bins, 3, padding=1),
            ) for _ in range(num_channels))

    def forward(self, feats: Tuple[torch.Tensor, ...]) -> torch.Tensor:
        """Logits of shape ``(N, num_channels, num_bins, H, W)``."""
        x = feats[-1]
        return torch.stack([branch(x) for branch in self.branches], dim=1)

    def get_targets(self, data_samples: Sequence[DataSample],
                    device: torch.device) -> torch.Tensor:
        """Targets of shape ``(N, num_channels, H, W)``, dtype long."""
        return stack_sample_field(data_samples, self.target_key, device,
                                  type(self).__name__)

    def loss(self, feats: Tuple[torch.Tensor, ...],
             data_samples: List[DataSample]) -> dict:
        """Per-channel pixel cross-entropy, summed over channels."""
        logits = self(feats)
        targets = self.get_targets(data_samples, logits.device)
        loss = logits.new_zeros(())
        for c in range(self.num_channels):
            per_pixel = F.cross_entropy(
                logits[:, c], targets[:, c], ignore_index=self.ignore_index,
                reduction='sum')
            # Mean over scored pixels; a batch of blank images scores none.
            num_scored = (targets[:, c] != self.ignore_index).sum()
            loss = loss + per_pixel / num_scored.clamp(min=1)
        return dict(loss_bias=self.loss_weight * loss)

    def uncertainty(self, feats: Tuple[torch.Tensor, ...],
                    kind: str = 'neg_entropy') -> torch.Tensor:
        """How far from uniform the bin distributions are, averaged over
        pixels and channels: the term ``f`` minimises in phase A. ``kind`` is
        ``'neg_entropy'`` (LNTL) or ``'uniform_ce'`` (BlindEye)."""
        return uncertainty_loss(self(feats), dim=2, kind=kind)

    def predict(self, feats: Tuple[torch.Tensor, ...],
                data_samples: List[DataSample]) -> List[DataSample]:
        """Record how many scored pixels ``h`` gets right in each sample.

        Sets ``bias_pred_correct`` and ``bias_pred_count`` on every sample.
        """
        logits = self(feats)
        targets = self.get_targets(data_samples, logits.device)
        scored = targets != self.ignore_index
        correct = (logits.argmax(dim=2) == targets) & scored
        record_bias_predictions(data_samples,
                                correct.flatten(1).sum(1).tolist(),
                                scored.flatten(1).sum(1).tolist())
        return data_samples
