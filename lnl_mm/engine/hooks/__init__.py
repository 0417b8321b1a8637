from .leakage_probe_hook import (LeakageProbeHook, bias_features,
                                 extract_pooled_features)
from .safe_checkpoint_hook import SafeCheckpointHook

__all__ = [
    'LeakageProbeHook', 'SafeCheckpointHook', 'bias_features',
    'extract_pooled_features'
]
