from typing import Dict

import torch
from mmengine.model import MMDistributedDataParallel
from mmengine.optim import OptimWrapperDict
from mmpretrain.registry import MODEL_WRAPPERS


@MODEL_WRAPPERS.register_module()
class LNTLDistributedDataParallel(MMDistributedDataParallel):
    """DistributedDataParallel for models with their own alternating update.

    ``MMDistributedDataParallel.train_step`` runs one ``mode='loss'`` forward
    and one ``update_params`` and never calls the wrapped model's
    ``train_step``, so it would skip the LNTL alternation. This wrapper hands
    the step to the model's ``alternating_train_step`` and passes itself as
    the forward callable: both phases then run through DDP's forward, and
    DDP all-reduces the gradients of phase A and of phase B.

    Select it with ``model_wrapper_cfg=dict(type='LNTLDistributedDataParallel')``.

    Args:
        module (nn.Module): A model with ``alternating_train_step`` (e.g.
            ``LNTLClassifier``).
        find_unused_parameters (bool): Must stay True: phase B does not use
            the label branch ``g``. Defaults to True.
        broadcast_buffers (bool): Defaults to False, as MMEngine's runner.
        **kwargs: Passed to ``MMDistributedDataParallel``. ``device_ids`` is
            dropped for a model on the CPU (gloo backend), where DDP
            refuses it.
    """

    def __init__(self,
                 module,
                 find_unused_parameters: bool = True,
                 broadcast_buffers: bool = False,
                 **kwargs):
        if not hasattr(module, 'alternating_train_step'):
            raise TypeError(
                f'LNTLDistributedDataParallel wraps models with an '
                f'alternating_train_step (e.g. LNTLClassifier), not '
                f'{type(module).__name__}; leave model_wrapper_cfg unset '
                'for other models.')
        if next(module.parameters()).device.type == 'cpu':
            kwargs.pop('device_ids', None)
            kwargs.pop('output_device', None)
        super().__init__(
            module=module,
            find_unused_parameters=find_unused_parameters,
            broadcast_buffers=broadcast_buffers,
            **kwargs)

    def train_step(self, data: dict,
                   optim_wrapper: OptimWrapperDict) -> Dict[str, torch.Tensor]:
        """Run the wrapped model's alternating update through DDP."""
        return self.module.alternating_train_step(data, optim_wrapper, self)
