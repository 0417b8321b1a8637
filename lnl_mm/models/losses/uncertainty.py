"""Losses that push a bias predictor's output distribution toward uniform.

Both are minimised by the feature extractor in phase A; they differ in form:

- ``neg_entropy`` (LNTL, Kim et al. 2019): sum_k p_k log p_k, i.e. minus the
  entropy; minimal (-log K) at the uniform distribution.
- ``uniform_ce`` (BlindEye's confusion loss, Alvi et al. 2018): the
  cross-entropy from the uniform distribution, -(1/K) sum_k log p_k;
  minimal (log K) at the uniform distribution.
"""
import torch
import torch.nn.functional as F


def negative_entropy(logits: torch.Tensor, dim: int) -> torch.Tensor:
    """Mean over all other positions of sum_k p_k log p_k along ``dim``."""
    log_p = F.log_softmax(logits, dim=dim)
    return (log_p.exp() * log_p).sum(dim=dim).mean()


def uniform_cross_entropy(logits: torch.Tensor, dim: int) -> torch.Tensor:
    """Mean over all other positions of -(1/K) sum_k log p_k along ``dim``."""
    return -F.log_softmax(logits, dim=dim).mean(dim=dim).mean()


UNCERTAINTY_LOSSES = dict(
    neg_entropy=negative_entropy, uniform_ce=uniform_cross_entropy)


def uncertainty_loss(logits: torch.Tensor, dim: int,
                     kind: str) -> torch.Tensor:
    """Apply the uncertainty loss named ``kind`` (see module docstring)."""
    if kind not in UNCERTAINTY_LOSSES:
        raise ValueError(f'Unknown uncertainty loss {kind!r}; choose one of '
                         f'{sorted(UNCERTAINTY_LOSSES)}.')
    return UNCERTAINTY_LOSSES[kind](logits, dim)
