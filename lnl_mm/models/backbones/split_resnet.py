from typing import Sequence, Tuple

import torch
import torch.nn as nn
from mmpretrain.models.backbones import ResNet, ResNet_CIFAR
from mmpretrain.models.backbones.base_backbone import BaseBackbone
from mmpretrain.registry import MODELS

from ...utils.arg_checks import check_int


@MODELS.register_module()
class SplitResNet(BaseBackbone):
    """An MMPretrain ResNet split into LNTL's feature extractor ``f`` and
    label branch ``g``.

    - ``f``: the stem (and its max pooling) and the first ``f_stages``
      residual stages; its feature map is what the bias predictor ``h``
      reads (:meth:`extract_bias_feat`).
    - ``g`` (without its final Linear layer, the classification head): the
      remaining stages and global average pooling.

    :meth:`forward` returns ``(f_map, g_feature)`` like ``LNTLConvNet``, so
    the same backbone serves ``LNTLClassifier`` (both outputs) and
    mmpretrain's ``ImageClassifier`` (``out_indices=(1, )``) for the
    baseline. The wrapped network is built from ``resnet``, so its depth,
    widths, norm layers, frozen stages and pretrained weights are the usual
    ResNet arguments (weights live under ``backbone.resnet.``; load an
    mmpretrain ImageNet checkpoint with ``resnet.init_cfg=dict(
    type='Pretrained', checkpoint=..., prefix='backbone.')``).

    Args:
        resnet (dict): Config of the network: mmpretrain's ``ResNet``,
            ``ResNetV1c``, ``ResNetV1d``, ``ResNet_CIFAR`` (3x3 stem without
            max pooling, for small images) or another subclass of ``ResNet``
            with the same forward. Defaults to ResNet-18.
        f_stages (int): Residual stages that belong to ``f``, from 0 (the
            stem only) to the network's number of stages (then ``g`` is the
            pooling only). Defaults to 2.
        out_indices (Sequence[int]): Which outputs :meth:`forward` returns:
            0 is ``f``'s feature map, 1 the pooled ``g`` feature. Defaults
            to ``(0, 1)``.
        init_cfg (dict, optional): Initialisation of this wrapper; the
            ResNet's own ``init_cfg`` (in ``resnet``) initialises its layers.
    """

    def __init__(self,
                 resnet: dict = dict(type='ResNet', depth=18),
                 f_stages: int = 2,
                 out_indices: Sequence[int] = (0, 1),
                 init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.resnet = MODELS.build(resnet)
        if not isinstance(self.resnet, ResNet) or type(
                self.resnet).forward not in (ResNet.forward,
                                             ResNet_CIFAR.forward):
            raise TypeError(
                f'SplitResNet: resnet={resnet.get("type")!r} builds a '
                f'{type(self.resnet).__name__}, whose forward this wrapper '
                'cannot split; use ResNet, ResNetV1c, ResNetV1d, ResNet_CIFAR '
                'or a ResNet subclass that keeps ResNet.forward.')
        num_stages = len(self.resnet.res_layers)
        check_int('f_stages', f_stages, 0, num_stages, owner='SplitResNet',
                  hint=f'the number of residual stages of f; this ResNet has '
                  f'{num_stages}')
        out_indices = tuple(out_indices)
        if not out_indices or any(i not in (0, 1) for i in out_indices):
            raise ValueError(
                f'SplitResNet: out_indices={out_indices} is invalid; use a '
                'non-empty subset of (0, 1): 0 = f feature map, 1 = pooled '
                'g feature.')
        self.f_stages = f_stages
        self.out_indices = out_indices
        self.f_layers = self.resnet.res_layers[:f_stages]
        self.g_layers = self.resnet.res_layers[f_stages:]
        self.pool = nn.AdaptiveAvgPool2d(1)

    @property
    def f_channels(self) -> int:
        """Channels of ``f``'s feature map (``h``'s ``in_channels``)."""
        if not self.f_layers:
            return self.resnet.stem_channels
        return getattr(self.resnet, self.f_layers[-1])[-1].out_channels

    @property
    def g_channels(self) -> int:
        """Size of the pooled ``g`` feature (the head's ``in_channels``)."""
        if not self.g_layers:
            return self.f_channels
        return getattr(self.resnet, self.g_layers[-1])[-1].out_channels

    def _stem(self, x: torch.Tensor) -> torch.Tensor:
        net = self.resnet
        if net.deep_stem:
            x = net.stem(x)
        else:
            x = net.relu(net.norm1(net.conv1(x)))
        maxpool = getattr(net, 'maxpool', None)  # ResNet_CIFAR has none
        return x if maxpool is None else maxpool(x)

    def extract_bias_feat(self, x: torch.Tensor) -> torch.Tensor:
        """Run ``f`` only and return its feature map (the bias tap)."""
        x = self._stem(x)
        for name in self.f_layers:
            x = getattr(self.resnet, name)(x)
        return x

    def g(self, f_map: torch.Tensor) -> torch.Tensor:
        """The label branch on ``f``'s map: the pooled ``g`` feature."""
        x = f_map
        for name in self.g_layers:
            x = getattr(self.resnet, name)(x)
        return self.pool(x).flatten(1)

    def train(self, mode: bool = True) -> 'SplitResNet':
        """Set the mode (the ResNet applies its ``frozen_stages`` and
        ``norm_eval``); returns ``self`` like ``nn.Module.train``."""
        super().train(mode)
        return self

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        bias_feat = self.extract_bias_feat(x)
        outs = (bias_feat, self.g(bias_feat))
        return tuple(outs[i] for i in self.out_indices)
