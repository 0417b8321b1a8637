"""Leakage probe: how much bias information is left in frozen features.

A fresh, small classifier (multinomial logistic regression by default, or a
one-hidden-layer MLP) is fitted full-batch with L-BFGS on features of one
split and scored on another. Everything is deterministic given ``seed``: the
features are standardised with the fitting split's statistics, the weights
are initialised from ``seed`` and the optimiser runs a fixed number of
iterations. An accuracy at chance (1 / num_classes) means a linear (or MLP)
read-out finds no bias information left in the features.
"""
from typing import Dict, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F


def build_probe(in_features: int, num_classes: int,
                hidden_channels: int = 0) -> nn.Module:
    """A linear classifier, or an MLP with one ReLU hidden layer."""
    if hidden_channels <= 0:
        return nn.Linear(in_features, num_classes)
    return nn.Sequential(
        nn.Linear(in_features, hidden_channels), nn.ReLU(),
        nn.Linear(hidden_channels, num_classes))


def _check_inputs(feats: torch.Tensor, labels: torch.Tensor, name: str,
                  num_classes: int) -> None:
    if feats.dim() != 2 or labels.dim() != 1 \
            or feats.shape[0] != labels.shape[0] or feats.shape[0] == 0:
        raise ValueError(
            f'leakage probe: {name} features must be (N, D) and labels (N, ) '
            f'with N > 0, got {tuple(feats.shape)} and '
            f'{tuple(labels.shape)}; pool feature maps with global_pool.')
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(
            f'leakage probe: {name} labels span [{int(labels.min())}, '
            f'{int(labels.max())}], outside [0, {num_classes}); set '
            'num_classes to the number of bias classes.')


def fit_leakage_probe(train_feats: torch.Tensor,
                      train_labels: torch.Tensor,
                      test_feats: torch.Tensor,
                      test_labels: torch.Tensor,
                      num_classes: Optional[int] = None,
                      hidden_channels: int = 0,
                      max_iter: int = 100,
                      weight_decay: float = 1e-3,
                      seed: int = 0) -> Dict[str, float]:
    """Fit a probe on ``train_*`` and report accuracies (in percent).

    Args:
        train_feats (Tensor): ``(N, D)`` features the probe is fitted on.
        train_labels (Tensor): ``(N, )`` integer targets (the bias class).
        test_feats (Tensor): ``(M, D)`` features the probe is scored on.
        test_labels (Tensor): ``(M, )`` integer targets.
        num_classes (int, optional): Target classes; None takes
            ``max label + 1`` over both splits.
        hidden_channels (int): 0 for multinomial logistic regression, else
            the hidden width of a one-layer ReLU MLP. Defaults to 0.
        max_iter (int): L-BFGS iterations (full batch). Defaults to 100.
        weight_decay (float): L2 penalty on the weights (not the biases),
            added to the mean cross-entropy. Defaults to 1e-3.
        seed (int): Seed of the weight initialisation. Defaults to 0.

    Returns:
        dict: ``probe_accuracy`` (on the test features),
        ``probe_train_accuracy`` and ``chance`` (100 / num_classes).
    """
    train_feats = train_feats.detach().double().cpu()
    test_feats = test_feats.detach().double().cpu()
    train_labels = train_labels.detach().long().cpu().reshape(-1)
    test_labels = test_labels.detach().long().cpu().reshape(-1)
    if num_classes is None:
        num_classes = int(max(train_labels.max(), test_labels.max())) + 1
    _check_inputs(train_feats, train_labels, 'train', num_classes)
    _check_inputs(test_feats, test_labels, 'test', num_classes)
    if test_feats.shape[1] != train_feats.shape[1]:
        raise ValueError('leakage probe: train and test features differ in '
                         f'width ({train_feats.shape[1]} vs '
                         f'{test_feats.shape[1]}).')

    # Standardise with the fitting split's statistics (constant features
    # stay at 0).
    mean = train_feats.mean(0)
    std = train_feats.std(0, unbiased=False).clamp(min=1e-8)
    train_x = (train_feats - mean) / std
    test_x = (test_feats - mean) / std

    generator_state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    probe = build_probe(train_x.shape[1], num_classes,
                        hidden_channels).double()
    torch.random.set_rng_state(generator_state)
    weights = [p for n, p in probe.named_parameters() if n.endswith('weight')]
    optimizer = torch.optim.LBFGS(
        probe.parameters(),
        lr=1.0,
        max_iter=max_iter,
        history_size=20,
        tolerance_grad=1e-9,
        tolerance_change=1e-10,
        line_search_fn='strong_wolfe')

    def closure():
        optimizer.zero_grad()
        loss = F.cross_entropy(probe(train_x), train_labels)
        loss = loss + weight_decay * sum((w**2).sum() for w in weights)
        loss.backward()
        return loss

    optimizer.step(closure)
    with torch.no_grad():
        train_acc = (probe(train_x).argmax(1) == train_labels).double().mean()
        test_acc = (probe(test_x).argmax(1) == test_labels).double().mean()
    return dict(
        probe_accuracy=100.0 * test_acc.item(),
        probe_train_accuracy=100.0 * train_acc.item(),
        chance=100.0 / num_classes)
