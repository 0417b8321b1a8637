# LNTL with the setting that won the hyper-parameter search on the embedded
# sample (README, "Hyper-parameter search"): lambda = 0.1, mu = 1.0, a 1-epoch
# warm-up, on the 12-epoch schedule the search used (lr 0.01, x0.1 at epochs
# 5 and 10). Ranked on the validation split only. Over 3 seeds it measured
# 0.170 +- 0.055 unbiased test top-1 against 0.114 +- 0.003 for the paper's
# lambda = 0.01, mu = 0.1 on the same schedule (README, "Replication").
# configs/lnl_cmnist.py stays the faithful reproduction of the paper.
_base_ = ['./lnl_cmnist.py']

model = dict(
    entropy_weight=0.1,  # lambda
    bias_neck=dict(mu=1.0),
    pretrain_epochs=1)

param_scheduler = dict(milestones=[5, 10])
train_cfg = dict(max_epochs=12)
