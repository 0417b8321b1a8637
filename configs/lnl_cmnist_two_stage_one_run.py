# The paper's two-stage LNTL in one run: 10 epochs of baseline training on
# the baseline's schedule (lr 0.01, x0.1 at epochs 4 and 8), then, as if
# starting from that baseline checkpoint, 10 unlearning epochs with a fresh
# bias predictor h and fresh optimizer state at lr 0.001 (x0.1 at 14 and
# 18), with lambda = 0.1 and mu = 1.0 (lnl_cmnist.py's values).
_base_ = ['./lnl_cmnist.py']

# x0.1 at 4, 8, 14 and 18, and x10 at the switch (epoch 10): 0.01, 0.001,
# 1e-4 | 0.001, 1e-4, 1e-5; both optimizers follow it.
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[4, 8, 14, 18],
         gamma=0.1),
    dict(type='MultiStepLR', by_epoch=True, milestones=[10], gamma=10.0),
]

default_hooks = dict(
    unlearning_start=dict(
        type='UnlearningStartHook',
        modules=['bias_head'],
        reset_optimizer_state=True))
