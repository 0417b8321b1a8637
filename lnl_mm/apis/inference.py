"""Predict with a config and a checkpoint, outside a Runner.

:func:`init_model` builds a config's model (with its data preprocessor) and
loads a checkpoint; :func:`inference_model` runs RGB images through the
config's test pipeline, the data preprocessor and the model, as
``tools/test.py`` does for the test split. Used by ``demo/image_demo.py``
and ``tools/visualization/colour_swap.py``.
"""
import os.path as osp
from typing import List, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS

from ..utils import CheckpointError, ConfigError, read_checkpoint
from ..utils.state_dict_fit import compare_state_dicts, revise_keys

#: The image size of Colored MNIST.
IMAGE_SIZE = (28, 28)


def load_config(config: Union[str, Config],
                cfg_options: Optional[dict] = None) -> Config:
    """Read a config file (or copy a Config) and merge ``cfg_options``."""
    if isinstance(config, Config):
        cfg = config.copy()
    else:
        if not osp.isfile(config):
            raise ConfigError(f'Config file {config!r} does not exist.')
        cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    return cfg


def load_weights(model: torch.nn.Module, checkpoint: str) -> dict:
    """Load the weights of ``checkpoint`` into ``model``; return the
    checkpoint's ``meta``.

    The file is read with ``weights_only=True``. Every weight of the model
    must be in it with its shape, except those of the modules the model
    lists in ``optional_modules`` (an LNTL model's ``bias_head``, so a
    baseline checkpoint can be used for the label path).

    Raises:
        CheckpointError: The file is unreadable, or its weights do not fit.
    """
    ckpt = read_checkpoint(checkpoint, map_location='cpu')
    state_dict = revise_keys(ckpt.get('state_dict', ckpt))
    fit = compare_state_dicts(model.state_dict(), state_dict)
    optional = tuple(f'{name}.'
                     for name in getattr(model, 'optional_modules', ()))
    missing = [k for k in fit.missing if not k.startswith(optional)]
    problems = []
    if fit.mismatched:
        problems.append('other shapes: ' + ', '.join(
            f'{k} {tuple(c)} vs {tuple(m)}' for k, c, m in fit.mismatched[:5]))
    if missing:
        problems.append('missing: ' + ', '.join(missing[:5]))
    if fit.unexpected:
        problems.append('not in the model: ' + ', '.join(fit.unexpected[:5]))
    if problems:
        raise CheckpointError(
            f'The weights of {checkpoint!r} do not fit the config\'s model '
            f'({"; ".join(problems)}). Pass the config the checkpoint was '
            'trained with.')
    model.load_state_dict(state_dict, strict=False)
    if hasattr(model, 'set_untrained_modules'):
        model.set_untrained_modules(
            [name for name in getattr(model, 'optional_modules', ())
             if any(k.startswith(f'{name}.') for k in fit.missing)])
    return dict(ckpt.get('meta') or {})


def init_model(config: Union[str, Config],
               checkpoint: Optional[str] = None,
               device: str = 'cpu',
               cfg_options: Optional[dict] = None) -> torch.nn.Module:
    """Build the model of ``config`` and load ``checkpoint`` into it.

    Returns:
        torch.nn.Module: The model in eval mode on ``device``, with ``cfg``
        (the merged config) and ``checkpoint_meta`` attributes.
    """
    cfg = load_config(config, cfg_options)
    model_cfg = cfg.model.copy()
    if cfg.get('data_preprocessor') is not None:
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    model = MODELS.build(model_cfg)
    if checkpoint:
        model.checkpoint_meta = load_weights(model, checkpoint)
    else:
        model.init_weights()
        model.checkpoint_meta = {}
    model.cfg = cfg
    return model.to(device).eval()


def test_pipeline(cfg: Config) -> Compose:
    """The transforms of the config's test split."""
    return Compose(cfg.test_dataloader.dataset.get('pipeline', []))


def as_rgb_uint8(image: np.ndarray) -> np.ndarray:
    """An ``(H, W, 3)`` uint8 RGB copy of ``image`` (grey images get three
    equal channels; an alpha channel is dropped)."""
    image = np.asarray(image)
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=2)
    if image.ndim != 3 or image.shape[2] not in (3, 4):
        raise ValueError(f'expected an RGB image (H, W, 3), got shape '
                         f'{image.shape}')
    image = image[..., :3]
    if image.dtype != np.uint8:
        raise ValueError(f'expected uint8 pixels (0..255), got '
                         f'{image.dtype}')
    return np.ascontiguousarray(image)


@torch.no_grad()
def inference_model(model: torch.nn.Module,
                    images: Sequence[np.ndarray],
                    batch_size: int = 128) -> List[dict]:
    """Predict the class of RGB images of the model's input size.

    Each image goes through the test pipeline of ``model.cfg`` (e.g. Gray's
    ``ToGrayscale``), then the model's data preprocessor (normalisation)
    and its ``predict`` mode.

    Returns:
        list[dict]: Per image ``pred_label`` (int), ``pred_score`` (its
        softmax probability) and ``pred_scores`` (all classes, numpy).
    """
    pipeline = test_pipeline(model.cfg)
    results = []
    for start in range(0, len(images), batch_size):
        batch = []
        for image in images[start:start + batch_size]:
            image = as_rgb_uint8(image)
            batch.append(pipeline(dict(
                img=image, img_shape=image.shape[:2],
                ori_shape=image.shape[:2])))
        for sample in model.test_step(pseudo_collate(batch)):
            scores = sample.pred_score.float().cpu().numpy()
            label = int(sample.pred_label.item())
            results.append(dict(pred_label=label,
                                pred_score=float(scores[label]),
                                pred_scores=scores))
    return results


__all__ = [
    'IMAGE_SIZE', 'as_rgb_uint8', 'inference_model', 'init_model',
    'load_config', 'load_weights', 'test_pipeline'
]
