# configs/lnl_cmnist.py with a 20-epoch warm-up (lr x0.1 at epochs 8 and 16,
# the recipe's pattern stretched) and the same 10 unlearning epochs (x10 at
# the switch, x0.1 at 24 and 28): unlearning starts from a more converged
# baseline. The other side of lntl_warmup5.py.
_base_ = ['../../configs/lnl_cmnist_20e.py']

model = dict(pretrain_epochs=20)
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[8, 16, 24, 28],
         gamma=0.1),
    dict(type='MultiStepLR', by_epoch=True, milestones=[20], gamma=10.0),
]
train_cfg = dict(max_epochs=30)
