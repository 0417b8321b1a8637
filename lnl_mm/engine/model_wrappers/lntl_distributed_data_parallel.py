from typing import Dict, List

import torch
import torch.distributed as dist
import torch.nn as nn
from mmengine.logging import print_log
from mmengine.model import MMDistributedDataParallel
from mmengine.optim import OptimWrapperDict
from mmengine.registry import MODEL_WRAPPERS as ENGINE_MODEL_WRAPPERS
from mmpretrain.registry import MODEL_WRAPPERS
from torch.nn.modules.batchnorm import _BatchNorm

from .cpu_sync_batchnorm import (CPUSyncBatchNorm,
                                 convert_cpu_sync_batchnorm)


def unsynced_bn_layers(module: nn.Module) -> List[_BatchNorm]:
    """BatchNorm layers of ``module`` whose running statistics are computed
    from the local batch only (all but SyncBatchNorm and CPUSyncBatchNorm).
    """
    return [
        layer for layer in module.modules()
        if isinstance(layer, _BatchNorm)
        and not isinstance(layer, (nn.SyncBatchNorm, CPUSyncBatchNorm))
        and layer.track_running_stats and layer.running_mean is not None
    ]


@torch.no_grad()
def average_bn_buffers(layers: List[_BatchNorm], group=None) -> None:
    """Average ``running_mean`` and ``running_var`` of ``layers`` over the
    ranks of ``group`` with one all-reduce, so that every rank holds the
    same buffers (``num_batches_tracked`` is equal on all ranks anyway)."""
    buffers = [b for layer in layers
               for b in (layer.running_mean, layer.running_var)]
    if not buffers:
        return
    flat = torch.cat([b.reshape(-1) for b in buffers])
    dist.all_reduce(flat, group=group)
    flat /= dist.get_world_size(group)
    offset = 0
    for b in buffers:
        b.copy_(flat[offset:offset + b.numel()].view_as(b))
        offset += b.numel()


# Also in MMEngine's root registry: Runner.wrap_model looks the type up with
# ``mmengine.registry.MODEL_WRAPPERS.get(type)``, which does not search the
# mmpretrain child registry (it fails with "issubclass() arg 1 must be a
# class" for a wrapper registered only there).
@ENGINE_MODEL_WRAPPERS.register_module()
@MODEL_WRAPPERS.register_module()
class LNTLDistributedDataParallel(MMDistributedDataParallel):
    """DistributedDataParallel for models with their own alternating update.

    ``MMDistributedDataParallel.train_step`` runs one ``mode='loss'`` forward
    and one ``update_params`` and never calls the wrapped model's
    ``train_step``, so it would skip the LNTL alternation (``LNTLClassifier``
    refuses ``mode='loss'`` in training for that reason). This wrapper hands
    the step to the model's ``alternating_train_step`` and passes itself as
    the forward callable: both phases then run through DDP's forward, and
    DDP all-reduces (averages) the gradients of phase A and of phase B.
    Parameters that a phase does not reach on any rank (``g`` in phase B)
    keep ``grad=None``, so SGD's momentum and weight decay leave them alone,
    as in single-process training.

    BatchNorm on several ranks:

    * ``SyncBatchNorm`` layers (``norm_cfg=dict(type='SyncBN')`` or the
      config key ``sync_bn='torch'``) use the statistics of the global batch
      and keep identical buffers on all ranks. ``torch.nn.SyncBatchNorm``
      only runs on GPUs; for a model on the CPU (gloo backend) they are
      turned into :class:`CPUSyncBatchNorm`, which synchronises on CPU.
    * Plain BatchNorm normalises with the local batch; with
      ``average_bn_buffers=True`` its running mean and variance are averaged
      over the ranks after every training step (one small all-reduce), so
      that all ranks evaluate and save the same model.

    Select it in the config with
    ``model_wrapper_cfg = dict(type='LNTLDistributedDataParallel')``.

    Args:
        module (nn.Module): A model with ``alternating_train_step`` (e.g.
            ``LNTLClassifier``).
        find_unused_parameters (bool): Must stay True: phase B does not use
            the label branch ``g``. Defaults to True.
        broadcast_buffers (bool): Defaults to False, as MMEngine's runner.
        average_bn_buffers (bool): Average the running statistics of
            non-synchronised BatchNorm layers over the ranks after every
            training step. Defaults to True.
        **kwargs: Passed to ``MMDistributedDataParallel``. ``device_ids`` and
            ``output_device`` are dropped for a model on the CPU (gloo
            backend), where DDP refuses them.
    """

    def __init__(self,
                 module: nn.Module,
                 find_unused_parameters: bool = True,
                 broadcast_buffers: bool = False,
                 average_bn_buffers: bool = True,
                 **kwargs):
        if not hasattr(module, 'alternating_train_step'):
            raise TypeError(
                f'LNTLDistributedDataParallel wraps models with an '
                f'alternating_train_step (e.g. LNTLClassifier), not '
                f'{type(module).__name__}; leave model_wrapper_cfg unset '
                'for other models.')
        if not find_unused_parameters:
            raise ValueError(
                'LNTLDistributedDataParallel needs find_unused_parameters='
                'True: phase B of the alternating update does not use the '
                'label branch g, and DDP without it fails on the next '
                'iteration. Remove find_unused_parameters from '
                'model_wrapper_cfg.')
        if next(module.parameters()).device.type == 'cpu':
            kwargs.pop('device_ids', None)
            kwargs.pop('output_device', None)
            converted = convert_cpu_sync_batchnorm(module)
            if converted:
                print_log(
                    f'LNTLDistributedDataParallel: {converted} SyncBatchNorm '
                    'layer(s) of a CPU model now synchronise with '
                    'CPUSyncBatchNorm (torch.nn.SyncBatchNorm is GPU-only).',
                    logger='current')
        super().__init__(
            module=module,
            find_unused_parameters=find_unused_parameters,
            broadcast_buffers=broadcast_buffers,
            **kwargs)
        self.average_bn_buffers = average_bn_buffers
        self._unsynced_bn = unsynced_bn_layers(module)

    def train_step(self, data: dict,
                   optim_wrapper: OptimWrapperDict) -> Dict[str, torch.Tensor]:
        """Run the wrapped model's alternating update through DDP, then make
        the BatchNorm buffers equal on all ranks (see the class docstring).
        """
        log_vars = self.module.alternating_train_step(data, optim_wrapper,
                                                      self)
        if self.average_bn_buffers and self._unsynced_bn \
                and dist.get_world_size(self.process_group) > 1:
            average_bn_buffers(self._unsynced_bn, self.process_group)
        return log_vars
