from .checkpoint_check_hook import CheckpointCheckHook
from .leakage_probe_hook import (LeakageProbeHook, bias_features,
                                 extract_pooled_features)
from .non_finite_loss_hook import NonFiniteLossHook
from .resume_check_hook import ResumeCheckHook
from .safe_checkpoint_hook import SafeCheckpointHook
from .unlearning_start_hook import UnlearningStartHook, reinitialise

__all__ = [
    'CheckpointCheckHook', 'LeakageProbeHook', 'NonFiniteLossHook',
    'ResumeCheckHook', 'SafeCheckpointHook', 'UnlearningStartHook',
    'bias_features', 'extract_pooled_features', 'reinitialise'
]
