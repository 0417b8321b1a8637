import torch


def global_pool(feats: torch.Tensor, pool: str = 'avg') -> torch.Tensor:
    """Pool an ``(N, C, H, W)`` map to ``(N, C)`` (``'avg'``, ``'max'``) or
    ``(N, 2C)`` (``'avgmax'``); 2-d inputs are returned as they are."""
    if feats.dim() == 2:
        return feats
    flat = feats.flatten(2)
    if pool == 'avg':
        return flat.mean(2)
    if pool == 'max':
        return flat.amax(2)
    if pool == 'avgmax':
        return torch.cat([flat.mean(2), flat.amax(2)], dim=1)
    raise ValueError(f"Unknown pool {pool!r}; use 'avg', 'max' or 'avgmax'.")
