# Superseded experiment, kept for its row in benchmarks/full_scale/results.csv
# (method lntl_no_resets_two_stage_lr; color_var 0.020, seed 0):
# lnl_cmnist_no_resets.py with the learning-rate profile of the two-stage
# form (warm-up at lr 0.01, x0.1 at epochs 4 and 8; x10 at the switch, epoch
# 10, back to 0.001; x0.1 at 14 and 18). h and the momentum carry over from
# the warm-up, so it isolates the lr profile from the resets of
# configs/lnl_cmnist.py. Results: docs/reproduce_paper.md.
_base_ = ['./lnl_cmnist_no_resets.py']

param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[4, 8, 14, 18],
         gamma=0.1),
    dict(type='MultiStepLR', by_epoch=True, milestones=[10], gamma=10.0),
]
