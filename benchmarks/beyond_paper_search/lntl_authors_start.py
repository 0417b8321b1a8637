# configs/lnl_cmnist.py started as the authors' code starts unlearning
# from a baseline checkpoint, which also loads the baseline's optimizer
# state: f's and g's momentum carries over the switch (h is still
# re-initialised) and the first unlearning epoch runs at the warm-up's last
# lr (1e-4); the x10 step comes one epoch later, at the end of epoch 11.
_base_ = ['../../configs/lnl_cmnist_20e.py']

param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[4, 8, 14, 18],
         gamma=0.1),
    dict(type='MultiStepLR', by_epoch=True, milestones=[11], gamma=10.0),
]
default_hooks = dict(unlearning_start=dict(reset_optimizer_state=False))
