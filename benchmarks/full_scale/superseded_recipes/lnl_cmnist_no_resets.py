# Superseded recipe, kept for its rows in benchmarks/full_scale/results.csv
# (method lntl_no_resets; color_var 0.020 seeds 0-2, 0.050 seed 0): LNTL in
# one run of 20 epochs from scratch, without the resets of today's
# configs/lnl_cmnist.py. 10 warm-up epochs of plain cross-entropy at lr 0.01
# (h learns on detached features), then 10 unlearning epochs at lr 0.001
# (x0.1 at epochs 14 and 18) with lambda = 0.1, mu = 1.0 and one h step per
# iteration; h and the optimizers' momentum carry over from the warm-up.
# It was configs/lnl_cmnist.py in lnl_mm 0.2. Results: docs/reproduce_paper.md.
_base_ = ['../../../configs/lnl_cmnist_paper.py']

model = dict(
    entropy_weight=0.1,  # lambda
    bias_neck=dict(mu=1.0),
    pretrain_epochs=10)

param_scheduler = dict(milestones=[10, 14, 18])
train_cfg = dict(max_epochs=20)
