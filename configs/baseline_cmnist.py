# Baseline: plain cross-entropy on the biased Colored MNIST training split
# (the paper's "Baseline" row), lr 0.01.
_base_ = [
    './_base_/models/convnet_baseline.py',
    './_base_/datasets/colored_mnist.py',
    './_base_/schedules/cmnist_sgd_100e.py',
    './_base_/default_runtime.py',
    './_base_/leakage_probe.py',
]
