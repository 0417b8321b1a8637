import torch
from mmpretrain.models.utils import ClsDataPreprocessor
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample


@MODELS.register_module()
class LNTLDataPreprocessor(ClsDataPreprocessor):
    """MMPretrain's ``ClsDataPreprocessor`` with a choice of memory format
    and of asynchronous copies to the device.

    With ``channels_last=True`` the normalised batch is laid out NHWC. The
    values are unchanged; convolutions then run their channels-last kernels,
    which are faster on CPUs (oneDNN) and on GPUs with tensor cores.

    A batch given as a list of images of one shape (``pseudo_collate``) is
    stacked first and normalised in one operation rather than image by
    image: the same values, a few milliseconds less per batch of 128. With
    ``channels_last`` the stacked ``uint8`` batch is laid out NHWC before
    it is converted and normalised, so the layout change moves a quarter of
    the bytes and no float copy follows.

    Labels that are already on the preprocessor's device are left in their
    samples: ``ClsDataPreprocessor`` would concatenate them and split them
    back into the same samples (a tensor and a field assignment per
    sample). They still go through that path when they must move to the
    device, or when ``to_onehot`` or ``batch_augments`` need the batch's
    labels.

    Args:
        channels_last (bool): Return the batch in ``torch.channels_last``
            memory format. Defaults to False.
        non_blocking (bool): Copy batches to the GPU asynchronously (takes
            effect with the dataloader's ``pin_memory``). Defaults to False.
        **kwargs: The arguments of ``ClsDataPreprocessor`` (``mean``,
            ``std``, ``to_rgb``, ``num_classes``, ...).
    """

    def __init__(self,
                 channels_last: bool = False,
                 non_blocking: bool = False,
                 **kwargs):
        super().__init__(**kwargs)
        self.channels_last = bool(channels_last)
        # read by mmengine's BaseDataPreprocessor.cast_data
        self._non_blocking = bool(non_blocking)

    def forward(self, data: dict, training: bool = False) -> dict:
        inputs = data.get('inputs')
        if isinstance(inputs, (list, tuple)) and inputs \
                and all(isinstance(x, torch.Tensor) for x in inputs) \
                and len({x.shape for x in inputs}) == 1 \
                and self.pad_size_divisor == 1:
            inputs = torch.stack(list(inputs))
            if self.channels_last and inputs.dim() == 4:
                # elementwise conversion and normalisation keep the layout
                inputs = inputs.contiguous(memory_format=torch.channels_last)
            data = dict(data, inputs=inputs)
        samples = data.get('data_samples')
        if self.labels_in_place(samples):
            data = super().forward(dict(data, data_samples=None), training)
            data['data_samples'] = samples
        else:
            data = super().forward(data, training)
        inputs = data['inputs']
        if self.channels_last and isinstance(inputs, torch.Tensor) \
                and inputs.dim() == 4:
            data['inputs'] = inputs.contiguous(
                memory_format=torch.channels_last)
        return data

    def labels_in_place(self, data_samples) -> bool:
        """Whether ``ClsDataPreprocessor``'s label handling would leave
        ``data_samples`` as they are: every sample has a ``gt_label`` on
        this device and no ``gt_score``, and neither ``to_onehot`` nor
        ``batch_augments`` needs the batch's labels."""
        if self.to_onehot or self.batch_augments is not None \
                or not isinstance(data_samples, (list, tuple)) \
                or not data_samples:
            return False
        device = self.device
        for sample in data_samples:
            if not isinstance(sample, DataSample) or 'gt_score' in sample:
                return False
            label = sample.get('gt_label')
            if not isinstance(label, torch.Tensor) or label.device != device:
                return False
        return True
