from contextlib import contextmanager

from mmengine.optim import OptimWrapperDict


class LNTLOptimWrapperDict(OptimWrapperDict):
    """The ``main`` and ``bias`` optimizer wrappers of LNTL.

    Only a generic ``train_step`` asks for ``optim_context`` of both wrappers
    at once, typically the plain ``MMDistributedDataParallel``, which would
    train without the alternating update; that fails here with a message
    naming the fix instead of MMEngine's generic ``NotImplementedError``.
    """

    @contextmanager
    def optim_context(self, model):
        raise RuntimeError(
            'The LNTL optimizers "main" and "bias" are driven by '
            "LNTLClassifier's own train_step (the alternating update), but a "
            'generic train_step asked for both at once: typically the plain '
            'MMDistributedDataParallel wrapper, which would train without '
            'the alternation. For distributed training set '
            "model_wrapper_cfg=dict(type='LNTLDistributedDataParallel') in "
            'the config.')
        yield  # pragma: no cover
