# configs/lnl_cmnist.py with a 5-epoch warm-up (lr x0.1 at epochs 2 and 4)
# and the same 10 unlearning epochs (x10 at the switch, x0.1 at 9 and 13):
# unlearning starts from a less converged baseline.
_base_ = ['../../configs/lnl_cmnist_20e.py']

model = dict(pretrain_epochs=5)
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[2, 4, 9, 13],
         gamma=0.1),
    dict(type='MultiStepLR', by_epoch=True, milestones=[5], gamma=10.0),
]
train_cfg = dict(max_epochs=15)
