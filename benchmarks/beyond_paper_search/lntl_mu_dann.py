# configs/lnl_cmnist.py with mu ramped as in DANN over the unlearning
# epochs (mu * (2 / (1 + exp(-10 p)) - 1), p counted from the switch): the
# reversal starts gentle while h is fresh and reaches mu = 1.0.
_base_ = ['../../configs/lnl_cmnist_20e.py']

model = dict(bias_neck=dict(schedule='dann', gamma=10.0))
