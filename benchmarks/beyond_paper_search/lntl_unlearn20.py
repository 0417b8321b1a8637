# configs/lnl_cmnist.py with 20 unlearning epochs instead of 10 (lr x0.1 at
# epochs 18 and 26, the same fractions of the phase), the same warm-up.
_base_ = ['../../configs/lnl_cmnist_20e.py']

param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[4, 8, 18, 26],
         gamma=0.1),
    dict(type='MultiStepLR', by_epoch=True, milestones=[10], gamma=10.0),
]
train_cfg = dict(max_epochs=30)
