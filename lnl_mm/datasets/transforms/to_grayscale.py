from typing import Optional, Sequence

import numpy as np
from mmcv.transforms import BaseTransform
from mmpretrain.registry import TRANSFORMS

#: ITU-R BT.601 luma weights (as PIL's ``convert('L')`` and torchvision).
BT601_WEIGHTS = (0.299, 0.587, 0.114)


@TRANSFORMS.register_module()
class ToGrayscale(BaseTransform):
    """Replace a colour image by its luminance, kept as ``num_channels``
    identical channels.

    The "Gray" comparison of "Learning Not to Learn" removes the colour bias
    from the input: the network sees ``sum_c weights[c] * img[..., c]``. With
    three output channels the same network (and normalisation) applies
    unchanged. Only the keys in ``keys`` change; e.g. ColoredMNIST's
    ``color_target`` stays computed from the coloured image.

    Required keys: ``keys`` (H x W x C arrays, C == len(weights)).
    Modified keys: ``keys`` (H x W x ``num_channels``, same dtype).

    Args:
        weights (Sequence[float]): Weight of each input channel, in the
            channel order of the image (RGB for ColoredMNIST). Defaults to
            the ITU-R BT.601 luma weights (0.299, 0.587, 0.114).
        num_channels (int): Channels of the output (copies of the grey
            image). Defaults to 3.
        keys (Sequence[str]): Result keys to convert. Defaults to
            ``('img', )``.
    """

    def __init__(self,
                 weights: Sequence[float] = BT601_WEIGHTS,
                 num_channels: int = 3,
                 keys: Sequence[str] = ('img', )):
        weights = np.asarray(weights, dtype=np.float64)
        if weights.ndim != 1 or weights.size == 0 \
                or not np.all(np.isfinite(weights)) or np.any(weights < 0):
            raise ValueError(
                f'ToGrayscale: weights={weights.tolist()} must be a non-empty '
                'list of finite numbers >= 0, one per input channel, e.g. '
                f'{BT601_WEIGHTS}.')
        if not (isinstance(num_channels, int) and num_channels >= 1):
            raise ValueError(f'ToGrayscale: num_channels={num_channels!r} '
                             'must be an integer >= 1 (3 keeps the RGB '
                             'network unchanged).')
        if isinstance(keys, str):
            keys = (keys, )
        self.weights = weights
        self.num_channels = num_channels
        self.keys = tuple(keys)

    def gray(self, img: np.ndarray, key: Optional[str] = None) -> np.ndarray:
        """The weighted channel sum of ``img``, ``num_channels`` times, in
        ``img``'s dtype (integers are rounded and clipped to their range)."""
        if img.ndim != 3 or img.shape[-1] != self.weights.size:
            raise ValueError(
                f'ToGrayscale: {key or "image"} has shape {img.shape}, but '
                f'{self.weights.size} weights need H x W x '
                f'{self.weights.size}; put ToGrayscale before PackInputs and '
                'give one weight per channel.')
        gray = img.astype(np.float64) @ self.weights
        if np.issubdtype(img.dtype, np.integer):
            info = np.iinfo(img.dtype)
            gray = np.clip(np.rint(gray), info.min, info.max)
        gray = gray.astype(img.dtype)
        return np.repeat(gray[..., None], self.num_channels, axis=-1)

    def transform(self, results: dict) -> dict:
        for key in self.keys:
            if key not in results:
                raise KeyError(f'ToGrayscale: the result has no {key!r}; '
                               f'set keys to the image fields (got '
                               f'{sorted(results)}).')
            results[key] = self.gray(np.asarray(results[key]), key)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(weights={self.weights.tolist()}, '
                f'num_channels={self.num_channels}, keys={self.keys})')
