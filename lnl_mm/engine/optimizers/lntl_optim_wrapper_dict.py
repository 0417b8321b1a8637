from contextlib import contextmanager
from typing import Sequence

from mmengine.optim import OptimWrapperDict

from .joint_step import step_optim_wrappers


class LNTLOptimWrapperDict(OptimWrapperDict):
    """The ``main`` and ``bias`` optimizer wrappers of LNTL.

    :meth:`step_jointly` steps several of them after one shared backward
    pass (phase B updates ``f`` through ``main`` and ``h`` through
    ``bias``), with one loss-scaler update under AMP.

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

    def step_jointly(self, names: Sequence[str]) -> None:
        """Step the wrappers ``names`` after one shared backward pass
        (:func:`step_optim_wrappers`: one unscale, all or none stepped on
        an overflow, one scale update)."""
        step_optim_wrappers([self[name] for name in names])
