# "Learning Not to Learn" from scratch in one run: `pretrain_epochs` of plain
# cross-entropy (h learns on detached features), then the alternating
# unlearning update with lambda = 0.01 and mu = 0.1, on the paper's schedule.
_base_ = [
    './_base_/models/lntl_convnet.py',
    './_base_/datasets/colored_mnist.py',
    './_base_/schedules/cmnist_lntl_sgd_100e.py',
    './_base_/default_runtime.py',
    './_base_/leakage_probe.py',
]

model = dict(
    entropy_weight=0.01,  # lambda
    bias_neck=dict(mu=0.1),
    pretrain_epochs=10)
