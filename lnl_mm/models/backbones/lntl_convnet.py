import math
from typing import Sequence, Tuple

import torch
import torch.nn as nn
from mmcv.cnn import build_norm_layer
from mmpretrain.models.backbones.base_backbone import BaseBackbone
from mmpretrain.registry import MODELS

from ...utils.arg_checks import check_int


@MODELS.register_module()
class LNTLConvNet(BaseBackbone):
    """The Colored MNIST network of "Learning Not to Learn" (Kim et al. 2019).

    The network is split the way the method needs it:

    - ``f`` (the feature extractor whose output the bias predictor taps):
      BatchNorm on the normalised input, Conv 3->32 k5 p2, ReLU,
      MaxPool k3 s2 p1, Conv 32->32 k3 p1, ReLU. Output: 32x14x14 for a 28x28
      input. The first ReLU runs after the pooling: max pooling and ReLU
      commute (both are monotone), so the outputs and gradients are
      bit-identical to the paper's order while ReLU and its backward touch a
      quarter of the values.
    - ``g`` (the label branch, without its final Linear layer, which is the
      classification head): Conv 32->64 k3 s2 p1, ReLU, Conv 64->64 k3 p1,
      ReLU, global average pooling. Output: a 64-d vector.

    Args:
        in_channels (int): Input image channels. Defaults to 3.
        f_channels (int): Channels of ``f``'s convolutions. Defaults to 32.
        g_channels (int): Channels of ``g``'s convolutions. Defaults to 64.
        out_indices (Sequence[int]): Which outputs :meth:`forward` returns:
            0 is ``f``'s feature map (the bias tap), 1 the pooled ``g``
            feature. Defaults to ``(0, 1)``.
        norm_cfg (dict): Config of the input normalisation layer; use
            ``dict(type='SyncBN')`` for synchronised BatchNorm across GPUs.
            Defaults to ``dict(type='BN')``.
        init_cfg (dict, optional): MMEngine initialisation config. When None,
            the authors' initialisation is used: conv weights from
            N(0, sqrt(2 / (k * k * out_channels))), BatchNorm weight 1 and
            bias 0.
    """

    def __init__(self,
                 in_channels: int = 3,
                 f_channels: int = 32,
                 g_channels: int = 64,
                 out_indices: Sequence[int] = (0, 1),
                 norm_cfg: dict = dict(type='BN'),
                 init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        out_indices = tuple(out_indices)
        if not out_indices or any(i not in (0, 1) for i in out_indices):
            raise ValueError(
                f'LNTLConvNet: out_indices={out_indices} is invalid; use a '
                'non-empty subset of (0, 1): 0 = f feature map, 1 = pooled '
                'g feature.')
        for name, value in (('in_channels', in_channels),
                            ('f_channels', f_channels),
                            ('g_channels', g_channels)):
            check_int(name, value, low=1, owner='LNTLConvNet')
        self.out_indices = out_indices
        self.f_channels = f_channels  # h's in_channels
        self.g_channels = g_channels  # the head's in_channels
        self.input_norm = build_norm_layer(norm_cfg, in_channels)[1]
        self.f = nn.Sequential(
            nn.Conv2d(in_channels, f_channels, kernel_size=5, padding=2),
            nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(f_channels, f_channels, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
        )
        self.g = nn.Sequential(
            nn.Conv2d(
                f_channels, g_channels, kernel_size=3, stride=2, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(g_channels, g_channels, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(1),
        )

    def init_weights(self):
        """Apply the authors' initialisation unless ``init_cfg`` is set."""
        if self.init_cfg is not None:
            super().init_weights()
            return
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                fan_out = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
                nn.init.normal_(m.weight, 0, math.sqrt(2.0 / fan_out))
            elif isinstance(m, nn.modules.batchnorm._BatchNorm):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def extract_bias_feat(self, x: torch.Tensor) -> torch.Tensor:
        """Run ``f`` only and return its feature map (the bias tap)."""
        return self.f(self.input_norm(x))

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        bias_feat = self.extract_bias_feat(x)
        outs = (bias_feat, self.g(bias_feat))
        return tuple(outs[i] for i in self.out_indices)
