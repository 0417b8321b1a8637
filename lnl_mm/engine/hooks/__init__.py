from .leakage_probe_hook import (LeakageProbeHook, bias_features,
                                 extract_pooled_features)

__all__ = ['LeakageProbeHook', 'bias_features', 'extract_pooled_features']
