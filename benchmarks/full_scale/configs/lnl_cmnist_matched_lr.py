# Session-4 experiment (not a shipped recipe): lnl_cmnist_session3.py with the
# learning-rate profile of the two-stage form: warm-up at lr 0.01, x0.1 at
# epochs 4 and 8; x10 at the switch (epoch 10) back to 0.001; x0.1 at 14 and
# 18. h and the momentum carry over from the warm-up. Seed 0 at color_var
# 0.020 gave 58.95 % unbiased test top-1 (lnl_cmnist_session3.py: 60.06 %),
# so the lr profile is not what separates that one-run recipe from the two
# stages.
_base_ = ['./lnl_cmnist_session3.py']

param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[4, 8, 14, 18],
         gamma=0.1),
    dict(type='MultiStepLR', by_epoch=True, milestones=[10], gamma=10.0),
]
