"""Synchronised BatchNorm that also runs on CPU (gloo) process groups.

``torch.nn.SyncBatchNorm`` raises ``ValueError: SyncBatchNorm expected input
tensor to be on GPU ...`` for CPU tensors as soon as a process group exists,
and ``DistributedDataParallel`` refuses to wrap a CPU module that contains
one ("SyncBatchNorm layers only work with GPU modules"), so a config with
``norm_cfg=dict(type='SyncBN')`` or ``sync_bn='torch'`` could not run under
``tools/dist_train.sh`` on a CPU-only machine (CI). :class:`CPUSyncBatchNorm`
computes the batch statistics over all ranks with autograd-aware
all-reductions, which gives the same forward and backward as synchronised
BatchNorm on the concatenated global batch. It is a ``_BatchNorm`` but not a
``torch.nn.SyncBatchNorm`` (which DDP would refuse on CPU).
``LNTLDistributedDataParallel`` converts the ``SyncBatchNorm`` layers of a
CPU model to it in place; parameters, buffers and state-dict keys are
unchanged.
"""
from typing import Optional

import torch
import torch.distributed as dist
import torch.distributed.nn.functional as dist_fn
import torch.nn as nn
from torch.nn.modules.batchnorm import _BatchNorm


class CPUSyncBatchNorm(_BatchNorm):
    """Synchronised BatchNorm for CPU tensors and the gloo backend.

    In training mode with an initialised process group of more than one rank
    and a CPU input, the per-channel mean and (biased) variance are those of
    the union of all ranks' batches, computed in two passes (sum and count,
    then the sum of squared deviations) with
    ``torch.distributed.nn.functional.all_reduce``, whose backward
    all-reduces the incoming gradients; the gradient of every input therefore
    includes the other ranks' losses exactly as in ``torch.nn.SyncBatchNorm``.
    The running variance is updated with the unbiased variance over the
    global count, as ``torch.nn.SyncBatchNorm`` does. Otherwise (CUDA input,
    evaluation, no process group, one rank) it is plain BatchNorm, or
    ``torch.nn.SyncBatchNorm``'s forward for a CUDA input.

    Every rank must call it the same number of times in the same order (as
    for ``torch.nn.SyncBatchNorm``). Usually obtained with
    :func:`convert_cpu_sync_batchnorm`; the arguments are those of
    ``torch.nn.SyncBatchNorm``.
    """

    def __init__(self,
                 num_features: int,
                 eps: float = 1e-5,
                 momentum: Optional[float] = 0.1,
                 affine: bool = True,
                 track_running_stats: bool = True,
                 process_group=None):
        super().__init__(num_features, eps, momentum, affine,
                         track_running_stats)
        self.process_group = process_group

    def _check_input_dim(self, input: torch.Tensor) -> None:
        if input.dim() < 2:
            raise ValueError(
                f'expected at least 2D input (got {input.dim()}D input)')

    def _check_non_zero_input_channels(self, input: torch.Tensor) -> None:
        if input.size(1) == 0:
            raise ValueError(
                'CPUSyncBatchNorm number of input channels should be '
                'non-zero')

    def _needs_cpu_sync(self, input: torch.Tensor) -> bool:
        if input.device.type != 'cpu' or not self.training:
            return False
        if not (dist.is_available() and dist.is_initialized()):
            return False
        group = self.process_group or dist.group.WORLD
        return dist.get_world_size(group) > 1

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        """Normalise ``input`` (N, C, ...) with statistics over all ranks."""
        if input.device.type != 'cpu':
            return nn.SyncBatchNorm.forward(self, input)
        if not self._needs_cpu_sync(input):
            # torch's SyncBatchNorm refuses CPU inputs whenever a process
            # group exists, even when there is nothing to synchronise.
            return super().forward(input)

        self._check_input_dim(input)
        self._check_non_zero_input_channels(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.track_running_stats:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked.item())

        group = self.process_group or dist.group.WORLD
        channels = input.size(1)
        dims = [0] + list(range(2, input.dim()))
        shape = [1, channels] + [1] * (input.dim() - 2)

        # Pass 1: global sum and element count per channel.
        local_count = input.new_full((1, ), input.numel() / channels)
        packed = dist_fn.all_reduce(
            torch.cat([input.sum(dims), local_count]), group=group)
        count = packed[channels].detach()
        mean = packed[:channels] / count
        # Pass 2: global sum of squared deviations (numerically safer than
        # E[x^2] - E[x]^2).
        centered = input - mean.view(shape)
        var = dist_fn.all_reduce(
            (centered * centered).sum(dims), group=group) / count
        output = centered * torch.rsqrt(var + self.eps).view(shape)
        if self.affine:
            output = output * self.weight.view(shape) + self.bias.view(shape)

        if self.track_running_stats:
            with torch.no_grad():
                unbiased = var.detach() * (count / (count - 1).clamp(min=1))
                self.running_mean.mul_(1 - factor).add_(
                    mean.detach(), alpha=factor)
                self.running_var.mul_(1 - factor).add_(
                    unbiased, alpha=factor)
        return output


def convert_cpu_sync_batchnorm(module: nn.Module) -> int:
    """Turn every ``torch.nn.SyncBatchNorm`` in ``module`` into a
    :class:`CPUSyncBatchNorm`, in place: only the class of the layer changes
    (both keep the same attributes), so parameters, buffers, optimizer
    references and state-dict keys stay as they are.

    Args:
        module (nn.Module): The model.

    Returns:
        int: How many layers were converted.
    """
    converted = 0
    for layer in module.modules():
        if isinstance(layer, nn.SyncBatchNorm):
            layer.__class__ = CPUSyncBatchNorm
            converted += 1
    return converted
