"""Tiny checkpoints of freshly built (untrained) models of the shipped
configs, for the tests of the tools that read checkpoints."""
import os.path as osp

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS

import lnl_mm  # noqa: F401  registers lnl_mm's components

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


def build_model(config: str, seed: int = 0) -> torch.nn.Module:
    """The model of ``configs/<config>`` (with its data preprocessor),
    initialised with ``seed``, in eval mode."""
    cfg = Config.fromfile(osp.join(REPO, 'configs', config))
    init_default_scope('mmpretrain')
    model_cfg = cfg.model.copy()
    model_cfg.setdefault('data_preprocessor', cfg.get('data_preprocessor'))
    torch.manual_seed(seed)
    model = MODELS.build(model_cfg)
    model.init_weights()
    return model.eval()


def save_checkpoint(model: torch.nn.Module, path: str,
                    training_state: bool = True, **meta) -> str:
    """Save ``model`` the way a training run does (``meta``,
    ``state_dict`` and, with ``training_state``, optimizer, scheduler and
    message-hub entries); return ``path``."""
    checkpoint = dict(
        meta=dict(epoch=1, iter=10, seed=0, **meta),
        state_dict=model.state_dict())
    if training_state:
        checkpoint.update(
            optimizer=dict(state={}, param_groups=[dict(lr=0.01)]),
            param_schedulers=[dict(last_epoch=1)],
            message_hub=dict(log_scalars={}, runtime_info=dict(epoch=1)))
    torch.save(checkpoint, str(path))
    return str(path)
