# The 10-epoch schedule (cmnist_sgd_10e.py: SGD, momentum 0.9, weight decay
# 5e-4, lr 0.01, x0.1 at epochs 4 and 8) with LNTL's two optimizers: "main"
# updates f and g, "bias" updates h; the MultiStepLR schedule applies to both.
_base_ = ['./cmnist_lntl_sgd_100e.py']

param_scheduler = dict(milestones=[4, 8])
train_cfg = dict(max_epochs=10)
