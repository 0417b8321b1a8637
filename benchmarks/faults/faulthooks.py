"""Test-only helper for run_faults.py: a hook that pauses a training run at a
known point (after iteration 1 of epoch 2) so that the driver can kill -9 it
there. Inactive unless FAULTS_PAUSE_MARKER is set; it never touches the
model, the data or any RNG, so runs with and without it train identically."""
import os
import time

from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS


@HOOKS.register_module()
class PauseHook(Hook):

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        marker = os.environ.get('FAULTS_PAUSE_MARKER')
        if marker and runner.epoch == 1 and batch_idx == 0:
            with open(marker, 'w') as f:
                f.write(str(os.getpid()))
            time.sleep(300)
