# The paper's optimizer (SGD, momentum 0.9, weight decay 5e-4, lr 0.01,
# batch 128 in the dataset config) on a 10-epoch schedule: lr x0.1 at epochs
# 4 and 8, the paper's 40/80 of 100 scaled down. The validation curves at
# full scale are flat from epoch 4-5 on (docs/reproduce_paper.md).
_base_ = ['./cmnist_sgd_100e.py']

param_scheduler = dict(milestones=[4, 8])
train_cfg = dict(max_epochs=10)
