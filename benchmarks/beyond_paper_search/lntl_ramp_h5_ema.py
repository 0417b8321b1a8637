# The three changes that each lifted seed 0 on validation, together: the
# moving average of the weights over the unlearning epochs (lntl_ema.py; it
# changes what is validated and saved, not the training), the DANN mu ramp
# (lntl_mu_dann.py) and 5 updates of h per iteration.
_base_ = ['./lntl_ema.py']

model = dict(
    bias_neck=dict(schedule='dann', gamma=10.0),
    bias_steps=5)
