# configs/lnl_cmnist.py with a 40-epoch warm-up (lr x0.1 at epochs 16 and 32,
# the recipe's pattern stretched) and the same 10 unlearning epochs (x10 at
# the switch, x0.1 at 44 and 48): the next point on the warm-up knob after
# lntl_warmup20.py.
_base_ = ['../../configs/lnl_cmnist_20e.py']

model = dict(pretrain_epochs=40)
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[16, 32, 44, 48],
         gamma=0.1),
    dict(type='MultiStepLR', by_epoch=True, milestones=[40], gamma=10.0),
]
train_cfg = dict(max_epochs=50)
