"""Hooks that inject faults into a training run, for the resume tests.

Listed in a test config's ``custom_imports`` (the tests put this folder on
``PYTHONPATH``), they kill the process with SIGKILL at a chosen iteration
or half-way through writing a checkpoint, or make a module's output NaN.
"""
import os
import signal

from mmengine.dist import get_rank
from mmengine.fileio import LocalBackend
from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS


def _kill_self():
    os.kill(os.getpid(), signal.SIGKILL)


@HOOKS.register_module(force=True)
class KillAtIterHook(Hook):
    """SIGKILL every rank before the training iteration ``iteration``
    (0-based, counted over the whole run) starts."""

    def __init__(self, iteration):
        self.iteration = iteration

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.iter == self.iteration:
            _kill_self()


@HOOKS.register_module(force=True)
class KillDuringSaveHook(Hook):
    """SIGKILL the process after it wrote half of the first file whose name
    contains ``needle`` (MMEngine writes checkpoints with
    ``LocalBackend.put``)."""

    def __init__(self, needle):
        self.needle = needle

    def before_train(self, runner):
        real_put = LocalBackend.put
        needle = self.needle

        def put(backend, obj, filepath):
            if needle in os.path.basename(str(filepath)):
                with open(filepath, 'wb') as f:
                    f.write(obj[:len(obj) // 2])
                    f.flush()
                    os.fsync(f.fileno())
                _kill_self()
            return real_put(backend, obj, filepath)

        LocalBackend.put = put


@HOOKS.register_module(force=True)
class NaNOutputHook(Hook):
    """Make the output of the model's child ``module`` NaN during training
    iteration ``iteration`` on rank ``rank`` only."""

    def __init__(self, module, iteration, rank=0):
        self.module, self.iteration, self.rank = module, iteration, rank
        self.handle = None

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.iter != self.iteration or get_rank() != self.rank:
            return
        model = getattr(runner.model, 'module', runner.model)

        def to_nan(module, args, output):
            if isinstance(output, (tuple, list)):
                return type(output)(o * float('nan') for o in output)
            return output * float('nan')

        self.handle = getattr(model, self.module).register_forward_hook(
            to_nan)

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        if self.handle is not None:
            self.handle.remove()
            self.handle = None


__all__ = ['KillAtIterHook', 'KillDuringSaveHook', 'NaNOutputHook']
