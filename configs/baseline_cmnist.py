# Baseline: plain cross-entropy on the biased Colored MNIST training split
# (the paper's "Baseline" row), lr 0.01, 10 epochs (lr x0.1 at 4 and 8). It
# is also the warm-up of configs/lnl_cmnist.py and the starting checkpoint
# of configs/lnl_cmnist_from_baseline.py.
_base_ = [
    './_base_/models/convnet_baseline.py',
    './_base_/datasets/colored_mnist.py',
    './_base_/schedules/cmnist_sgd_10e.py',
    './_base_/default_runtime.py',
    './_base_/leakage_probe.py',
]
